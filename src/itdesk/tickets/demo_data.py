"""The demo organisation and its tickets, as data: departments, groups, accounts and ticket stories.

Each ticket story is what a requester reported plus the steps people took on it; the demo command
plays the steps through the ticket services, so demo tickets are exactly what the desk would produce.
Content is taken from the process documents (seeds): jammed printers, VPN error 809, Outlook stuck in
the outbox, onboarding accounts, password resets, blue screens, the company-wide outage...
"""

from __future__ import annotations

from dataclasses import dataclass, field

from itdesk.accounts.models import Department, SupportGroup
from itdesk.tickets.models import Category

# ---------------------------------------------------------------- organisation

# code, name, parent code
DEPARTMENTS: tuple[tuple[str, str, str | None], ...] = (
    ("hq", "总部 Headquarters", None),
    ("finance", "财务部 Finance", "hq"),
    ("hr", "人力资源部 HR", "hq"),
    ("sales", "销售部 Sales", "hq"),
    ("rnd", "研发中心 R&D", "hq"),
    ("it", "信息技术部 IT", "hq"),
)

# code, name, e-mail, first line
SUPPORT_GROUPS: tuple[tuple[str, str, str, bool], ...] = (
    ("service-desk", "服务台 Service Desk", "servicedesk@example.com", True),
    ("hardware", "硬件支持组 Hardware", "hardware@example.com", False),
    ("software", "软件支持组 Software", "software@example.com", False),
    ("network", "网络组 Network", "network@example.com", False),
    ("accounts", "账号权限组 Accounts & Permissions", "accounts@example.com", False),
    ("security", "信息安全组 Security", "security@example.com", False),
)

# Category code -> the specialist group it is escalated to (sub-categories follow their parent).
CATEGORY_GROUPS: dict[str, str] = {
    "hardware": "hardware",
    "software": "software",
    "network": "network",
    "account": "accounts",
    "security": "security",
    "service-request": "service-desk",
    "consulting": "service-desk",
    "custom": "software",
}


def ensure_organisation() -> tuple[dict[str, Department], dict[str, SupportGroup]]:
    """Create the demo departments and support groups and route categories to groups; changes nothing twice."""
    departments: dict[str, Department] = {}
    for code, name, parent in DEPARTMENTS:
        departments[code], _created = Department.objects.get_or_create(
            code=code, defaults={"name": name, "parent": departments.get(parent) if parent else None}
        )
    groups: dict[str, SupportGroup] = {}
    for code, name, email, first_line in SUPPORT_GROUPS:
        groups[code], _created = SupportGroup.objects.get_or_create(
            code=code, defaults={"name": name, "email": email, "is_first_line": first_line}
        )
    # Only categories nobody has routed yet: an administrator's choice is never overwritten.
    for category in Category.objects.filter(default_group__isnull=True).select_related("parent"):
        root = category.parent.code if category.parent_id else category.code
        group_code = CATEGORY_GROUPS.get(category.code) or CATEGORY_GROUPS.get(root)
        if group_code:
            category.default_group = groups[group_code]
            category.save(update_fields=["default_group"])
    return departments, groups


@dataclass(frozen=True)
class DemoAccount:
    """One demo login with its profile and its places in support groups (group code, tier, skills)."""

    username: str
    display_name: str
    role: str
    department: str
    employee_id: str
    phone: str
    language: str
    memberships: tuple[tuple[str, str, str], ...] = ()
    leads: str = ""  # code of the group this account leads
    superuser: bool = False

    @property
    def email(self) -> str:
        """The account's e-mail address (example.com never delivers anywhere)."""
        return f"{self.username}@example.com"


ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", "陈志强", "admin", "it", "IT0001", "13800138000", "zh-hans", superuser=True),
    DemoAccount(
        "agent1",
        "张伟",
        "agent",
        "it",
        "IT0101",
        "13800138001",
        "zh-hans",
        memberships=(("service-desk", "L1", "打印机,Office,密码重置,VPN"),),
    ),
    DemoAccount(
        "agent2",
        "李强",
        "agent",
        "it",
        "IT0201",
        "13800138002",
        "en",
        memberships=(("network", "L2", "交换机,防火墙,VPN,Wi-Fi"), ("hardware", "L2", "电脑维修,外设")),
    ),
    DemoAccount(
        "lead1",
        "刘洋",
        "lead",
        "it",
        "IT0301",
        "13800138003",
        "zh-hans",
        memberships=(
            ("service-desk", "L3", "流程,升级"),
            ("software", "L3", "ERP,OA,Exchange"),
            ("accounts", "L3", "AD,权限"),
            ("security", "L3", "安全事件"),
        ),
        leads="service-desk",
    ),
    DemoAccount("manager1", "赵敏", "approver", "it", "IT0002", "13800138004", "zh-hans"),
    DemoAccount("alice", "王小丽", "requester", "finance", "FN1024", "13900139001", "zh-hans"),
    DemoAccount("bob", "李博", "requester", "sales", "SL2048", "13900139002", "en"),
)

# ---------------------------------------------------------------- ticket stories


@dataclass(frozen=True)
class Step:
    """One thing a person did on a ticket: a move, a reply, an internal note or a priority change."""

    action: str
    actor: str
    text: str = ""
    group: str = ""
    assignee: str = ""
    priority: str = ""
    minutes: int = 0  # how long after the previous step it happened (0: the action's usual delay)


def ack(actor: str) -> Step:
    """Acknowledge the request."""
    return Step("acknowledge", actor)


def diagnose(actor: str) -> Step:
    """Start diagnosis."""
    return Step("diagnose", actor)


def reply(actor: str, text: str, minutes: int = 0) -> Step:
    """A public reply (a requester's reply to a waiting ticket resumes it)."""
    return Step("reply", actor, text, minutes=minutes)


def note(actor: str, text: str) -> Step:
    """An internal note."""
    return Step("note", actor, text)


def escalate(actor: str, group: str, text: str, assignee: str = "") -> Step:
    """Hand the ticket to a specialist group, with the record of what was done."""
    return Step("escalate", actor, text, group=group, assignee=assignee)


def move(action: str, actor: str, text: str = "", minutes: int = 0) -> Step:
    """Any other move of the process, by its action name (plan, resolve, confirm, cancel...)."""
    return Step(action, actor, text, minutes=minutes)


def reprioritise(actor: str, priority: str, reason: str) -> Step:
    """Change the priority, with the reason the process asks for."""
    return Step("priority", actor, reason, priority=priority)


@dataclass(frozen=True)
class DemoTicket:
    """A request as reported, the steps taken on it and the status it must end in."""

    status: str
    requester: str
    title: str
    description: str
    category: str
    hours_ago: float
    impact: int = 3
    urgency: int = 2
    channel: str = "portal"
    registered_by: str = ""  # an agent who logged a phone call or walk-in
    details: dict[str, str] = field(default_factory=dict)
    steps: tuple[Step, ...] = ()


DAY = 24.0

TICKETS: tuple[DemoTicket, ...] = (
    # ---- new
    DemoTicket(
        "new",
        "alice",
        "5楼大会议室 WiFi 经常断线",
        "开会时笔记本连接 Corp-WiFi 每隔十几分钟断开一次，需要重新连接，"
        "视频会议经常中断。同会议室其他同事也有类似情况。",
        "network-wifi",
        0.7,
        impact=2,
        details={"impact_scope": "5楼大会议室所有参会人员", "tried": "忘记网络后重新连接，问题依旧"},
    ),
    DemoTicket(
        "new",
        "bob",
        "Request: install Microsoft Visio",
        "I need Visio to draw the sales territory diagrams for "
        "next quarter's plan. Standard version is enough.",
        "software-office",
        2,
        urgency=3,
    ),
    DemoTicket(
        "new",
        "alice",
        "扫描仪无法扫描到共享文件夹",
        "财务部复印机扫描时提示“无法连接到服务器”，上周还可以正常扫描到 \\\\fs01\\scan。",
        "hardware-peripheral",
        0.3,
        details={"device_model": "Ricoh IM C3000"},
    ),
    DemoTicket(
        "new",
        "bob",
        "Teams calls drop after about five minutes",
        "Every Teams call from my desk drops after "
        "roughly five minutes with 'Reconnecting...'. Calls on my phone hotspot are fine.",
        "network",
        1.2,
        channel="email",
        details={"software_version": "Microsoft Teams 24124"},
    ),
    # ---- acknowledged
    DemoTicket(
        "acknowledged",
        "alice",
        "申请开通 VPN 账号（下周出差使用）",
        "下周一至周五在上海出差，需要远程访问 ERP 和共享盘，请帮忙开通 VPN。",
        "account-access",
        3,
        urgency=3,
        steps=(
            ack("agent1"),
            reply("agent1", "已收到您的申请，VPN 账号将在今天下班前开通，开通后会邮件通知您。"),
        ),
    ),
    DemoTicket(
        "acknowledged",
        "bob",
        "Second monitor shows 'No signal'",
        "Since this morning my second monitor stays black with 'No signal'. The cable looks fine.",
        "hardware-peripheral",
        4,
        details={"device_model": "Dell P2422H"},
        steps=(ack("agent1"),),
    ),
    DemoTicket(
        "acknowledged",
        "alice",
        "Excel 打开大文件时卡死",
        "打开 80MB 左右的月结底稿时 Excel 未响应，需要等待 10 分钟以上。",
        "software-office",
        6,
        details={"software_version": "Microsoft 365 Excel 2405", "os_version": "Windows 11 23H2"},
        steps=(ack("agent1"),),
    ),
    # ---- diagnosing
    DemoTicket(
        "diagnosing",
        "alice",
        "业务系统无法登录，提示“密码错误”但确认密码正确",
        "OA 系统登录时提示“密码错误”，但我确认密码是正确的，早上还能登录。",
        "software-business",
        5,
        urgency=1,
        steps=(
            ack("agent1"),
            diagnose("agent1"),
            reply("agent1", "请清除浏览器缓存后再试一次，并确认输入时没有开启大写锁定。"),
        ),
    ),
    DemoTicket(
        "diagnosing",
        "bob",
        "Laptop very slow after Windows update",
        "After last night's update the laptop takes ten minutes to start and every application is slow.",
        "software-os",
        26,
        details={"device_model": "ThinkPad T14 Gen 3", "os_version": "Windows 11 23H2"},
        steps=(
            ack("agent1"),
            diagnose("agent1"),
            note("agent1", "磁盘占用 100%，Windows Search 正在重建索引，先观察一小时。"),
        ),
    ),
    DemoTicket(
        "diagnosing",
        "alice",
        "共享盘 \\\\fs01\\finance 无法访问",
        "打开财务共享盘提示“找不到网络路径”，今天是月结最后一天。",
        "network",
        7,
        details={"impact_scope": "财务部全体（12人）"},
        steps=(
            ack("agent1"),
            diagnose("agent1"),
            reprioritise("agent1", "P2", "整个财务部月结依赖该共享盘，影响一个部门的重要工作，按 P2 处理。"),
            reply("agent1", "已确认是部门范围的问题，正在检查文件服务器，请稍候。"),
        ),
    ),
    DemoTicket(
        "diagnosing",
        "bob",
        "Printer prints blank pages",
        "The sales printer on the 2nd floor prints blank pages.",
        "hardware-printer",
        4 * DAY,
        steps=(
            ack("agent1"),
            diagnose("agent1"),
            move("resolve", "agent1", "Replaced the empty toner cartridge; test page printed fine."),
            move("reopen", "bob", "Still blank pages when I print double-sided.", minutes=20 * 60),
        ),
    ),
    # ---- escalated
    DemoTicket(
        "escalated",
        "alice",
        "电脑频繁蓝屏，错误代码 MEMORY_MANAGEMENT",
        "这两天电脑每天蓝屏三四次，蓝屏提示 MEMORY_MANAGEMENT，重启后能用一会儿。",
        "hardware-pc",
        30,
        urgency=1,
        details={
            "device_model": "ThinkPad T14 Gen 2",
            "os_version": "Windows 11 23H2",
            "tried": "已重启并更新驱动",
        },
        steps=(
            ack("agent1"),
            reply("agent1", "请问蓝屏前一般在进行什么操作？是否插拔过外设？"),
            diagnose("agent1"),
            note("agent1", "Windows 内存诊断报告硬件错误，疑似内存条故障。"),
            escalate(
                "agent1",
                "hardware",
                "内存诊断报错，需要更换内存条，转硬件组处理。已告知用户先保存好文件。",
                "agent2",
            ),
        ),
    ),
    DemoTicket(
        "escalated",
        "bob",
        "Clicked a link in a suspicious invoice e-mail",
        "I received an 'overdue invoice' "
        "e-mail and clicked the link; it asked for my login and I typed my password.",
        "security",
        2,
        impact=2,
        urgency=1,
        steps=(
            ack("agent1"),
            reply(
                "agent1", "Please unplug the network cable now and do not use the laptop until we call you."
            ),
            escalate(
                "agent1",
                "security",
                "用户在钓鱼页面输入了域账号密码，需要立即重置密码并排查登录记录。",
                "lead1",
            ),
        ),
    ),
    DemoTicket(
        "escalated",
        "alice",
        "ERP 报表导出 Excel 中文乱码",
        "从 ERP 导出的应收账款报表用 Excel 打开，中文全部显示为乱码。",
        "software-business",
        2 * DAY,
        steps=(
            diagnose("agent1"),
            escalate(
                "agent1",
                "software",
                "导出文件编码为 GBK，Excel 按 UTF-8 打开导致乱码，需软件组确认 ERP 导出设置。",
            ),
        ),
    ),
    # ---- planning
    DemoTicket(
        "planning",
        "bob",
        "Shared mailbox for the sales team",
        "The sales team needs a shared mailbox "
        "sales-cn@example.com that all eight of us can read and send from.",
        "service-request",
        2 * DAY,
        urgency=3,
        steps=(
            ack("agent1"),
            diagnose("agent1"),
            escalate(
                "agent1",
                "accounts",
                "Shared mailbox with send-as for 8 sales users; needs the accounts group.",
                "lead1",
            ),
            move("plan", "lead1"),
        ),
    ),
    DemoTicket(
        "planning",
        "alice",
        "财务部打印机需要更换（频繁卡纸，已过保修期）",
        "财务部 HP 打印机每天卡纸多次，维修人员说搓纸轮老化，已过保修期。",
        "hardware-printer",
        5 * DAY,
        steps=(
            ack("agent1"),
            diagnose("agent1"),
            move("plan", "agent1"),
            move(
                "request_approval",
                "agent1",
                "方案：采购一台 A3 黑白激光打印机替换旧机，预计 6500 元。风险：低；需审批因涉及采购预算。",
            ),
            move("reject", "manager1", "本季度预算需走年度采购流程，请先提供三家供应商报价。"),
        ),
    ),
    # ---- awaiting approval
    DemoTicket(
        "awaiting_approval",
        "bob",
        "Need local admin rights to install tools",
        "I need to install the new CRM "
        "plug-in and a PDF editor; the installer asks for administrator rights.",
        "account-access",
        26,
        steps=(
            ack("agent1"),
            diagnose("agent1"),
            escalate("agent1", "security", "Local admin request; security group decides.", "lead1"),
            move("plan", "lead1"),
            move(
                "request_approval",
                "lead1",
                "Plan: install both tools for the user through the software centre instead of granting rights; if "
                "that fails, temporary local admin for 24 hours via LAPS. Risk: medium (admin rights).",
            ),
        ),
    ),
    DemoTicket(
        "awaiting_approval",
        "alice",
        "误删了共享盘上的月结报表，申请恢复",
        "今天上午整理文件时误删了 \\\\fs01\\finance\\2024月结 文件夹，需要恢复到昨天的版本。",
        "service-request",
        8,
        urgency=1,
        steps=(
            ack("agent1"),
            diagnose("agent1"),
            escalate("agent1", "software", "需要从文件服务器快照恢复，转系统运维。", "lead1"),
            move("plan", "lead1"),
            move(
                "request_approval",
                "lead1",
                "方案：从昨晚 23:00 的快照恢复到 2024月结_restore 目录，不覆盖他人今天的修改。风险：低；涉及财务数据需审批。",
            ),
        ),
    ),
    # ---- in progress
    DemoTicket(
        "in_progress",
        "alice",
        "新员工入职开通账号：财务部 陈静",
        "新同事陈静下周一入职财务部，工号 FN1088，需要开通域账号、企业邮箱和 ERP 总账查询权限。",
        "service-request",
        2 * DAY,
        urgency=3,
        steps=(
            ack("agent1"),
            diagnose("agent1"),
            escalate("agent1", "accounts", "入职开通：AD 账号、Exchange 邮箱、ERP 总账只读权限。", "lead1"),
            move("plan", "lead1"),
            move(
                "request_approval",
                "lead1",
                "方案：开通 AD 账号与邮箱；ERP 仅开通总账查询（只读）。风险：ERP 财务权限属敏感权限，需审批。",
            ),
            move("approve", "manager1", "同意，按最小权限开通。"),
            note("lead1", "AD 账号和邮箱已开通，ERP 权限等待夜间同步。"),
        ),
    ),
    DemoTicket(
        "in_progress",
        "bob",
        "Move my files to the new ThinkPad",
        "My new laptop arrived; please move my profile, mail archive and CRM settings from the old one.",
        "hardware-pc",
        3 * DAY,
        urgency=3,
        details={"device_model": "ThinkPad T14 Gen 5"},
        steps=(
            ack("agent1"),
            diagnose("agent1"),
            move("plan", "agent1"),
            move(
                "execute",
                "agent1",
                "Plan: back up the profile with USMT, restore on the new laptop, check mail and CRM.",
            ),
            note("agent1", "Profile backup finished: 42 GB. Restore scheduled for tomorrow 10:00."),
        ),
    ),
    DemoTicket(
        "in_progress",
        "bob",
        "Sales floor network keeps dropping",
        "Everyone on the 4th floor loses the network for a minute or two several times an hour.",
        "network",
        6,
        impact=2,
        urgency=1,
        details={"impact_scope": "4th floor, about 40 people"},
        steps=(
            ack("agent1"),
            escalate("agent1", "network", "4楼整层间歇断网，接入交换机上联端口频繁 up/down。", "agent2"),
            move("plan", "agent2"),
            move(
                "request_approval",
                "agent2",
                "Plan: replace the faulty SFP module on the core switch uplink during lunch (12:10-12:20). "
                "Risk: 10-minute outage for the 4th floor; rollback: put the old module back.",
            ),
            move("approve", "manager1", "Approved; tell the sales team before 12:00."),
            note("agent2", "Spare SFP module collected from the store room."),
        ),
    ),
    # ---- waiting on requester
    DemoTicket(
        "waiting_on_requester",
        "bob",
        "CRM login says 'account locked'",
        "I can't log in to the CRM; it says my account is locked.",
        "software-business",
        26,
        urgency=1,
        steps=(
            ack("agent1"),
            diagnose("agent1"),
            move(
                "wait", "agent1", "Please send a screenshot of the error and the exact time you last tried."
            ),
        ),
    ),
    DemoTicket(
        "waiting_on_requester",
        "alice",
        "邮箱容量已满，无法接收邮件",
        "收到提示“邮箱已满”，外部客户说给我发的邮件被退回。",
        "software-office",
        28,
        steps=(
            ack("agent1"),
            diagnose("agent1"),
            move(
                "wait",
                "agent1",
                "请确认是否可以把 2022 年以前的邮件归档到本地 PST 文件？确认后我们远程协助操作。",
            ),
        ),
    ),
    DemoTicket(
        "waiting_on_requester",
        "bob",
        "Install the expense app on my phone",
        "Finance asked us to use the new expense app; it does not install on my phone.",
        "service-request",
        2 * DAY,
        urgency=3,
        steps=(
            diagnose("agent1"),
            move("wait", "agent1", "Which phone model and Android/iOS version do you have?"),
        ),
    ),
    # ---- resolved
    DemoTicket(
        "resolved",
        "alice",
        "Outlook 无法发送邮件，一直停留在发件箱",
        "给审计发的邮件一直在发件箱里发不出去，其他邮件正常。",
        "software-office",
        3 * DAY,
        details={"software_version": "Outlook for Microsoft 365"},
        steps=(
            ack("agent1"),
            diagnose("agent1"),
            reply("agent1", "请问这封邮件的附件有多大？"),
            note("agent1", "附件 32MB，超过 Exchange 25MB 的限制。"),
            move("resolve", "agent1", "附件超过 25MB 限制；已指导改用企业网盘分享链接，邮件已成功发送。"),
        ),
    ),
    DemoTicket(
        "resolved",
        "bob",
        "Projector in meeting room 3B not detected",
        "The laptop does not see the projector in 3B; customer meeting at 3 pm.",
        "hardware-peripheral",
        26,
        urgency=1,
        steps=(
            ack("agent1"),
            diagnose("agent1"),
            move("resolve", "agent1", "Faulty USB-C to HDMI adapter replaced."),
        ),
    ),
    DemoTicket(
        "resolved",
        "alice",
        "无法连接 VPN，提示“证书已过期”",
        "在家连接 VPN 时提示“证书已过期”。",
        "network-vpn",
        2 * DAY,
        steps=(
            diagnose("agent1"),
            escalate("agent1", "network", "客户端证书过期，需网络组重新签发。", "agent2"),
            move("resolve", "agent2", "已重新签发客户端证书并协助导入，VPN 连接正常。"),
        ),
    ),
    # ---- closed
    DemoTicket(
        "closed",
        "alice",
        "3楼财务部打印机卡纸",
        "打印报销单时打印机卡纸，面板提示“卡纸 13.B2”，打开前盖看不到纸。",
        "hardware-printer",
        21 * DAY,
        details={"device_model": "HP LaserJet M406"},
        steps=(
            ack("agent1"),
            reply("agent1", "您好，请先关闭电源，打开后盖检查定影器附近是否有纸，我们十分钟后到现场。"),
            diagnose("agent1"),
            note("agent1", "定影器附近有碎纸，已现场清理。搓纸轮磨损，建议后续更换。"),
            move("resolve", "agent1", "现场取出卡纸并清理搓纸轮，打印测试页正常。"),
            move("confirm", "alice"),
        ),
    ),
    DemoTicket(
        "closed",
        "bob",
        "VPN connection fails with error 809",
        "From the hotel Wi-Fi the VPN fails with error 809; it worked in the office.",
        "network-vpn",
        18 * DAY,
        urgency=1,
        steps=(
            ack("agent1"),
            reply("agent1", "Could you try once from your phone's hotspot and tell us if it connects?"),
            reply("bob", "From the hotspot it connects."),
            diagnose("agent1"),
            escalate(
                "agent1", "network", "Error 809 only on hotel Wi-Fi: L2TP/IPsec blocked there.", "agent2"
            ),
            move(
                "resolve",
                "agent2",
                "Enabled the SSL VPN profile for the user, which works through hotel networks.",
            ),
            move("confirm", "bob"),
        ),
    ),
    DemoTicket(
        "closed",
        "alice",
        "全公司无法上网",
        "所有同事都打不开外部网站，企业微信也连不上，内网 OA 可以访问。",
        "network",
        9 * DAY,
        impact=1,
        urgency=1,
        channel="phone",
        registered_by="agent1",
        details={"impact_scope": "全公司"},
        steps=(
            ack("agent1"),
            escalate(
                "agent1",
                "network",
                "所有楼层无法访问外网，内网正常，疑似出口链路故障，按 P1 上报。",
                "agent2",
            ),
            note("lead1", "已通知 IT 经理，P1 临时处理小组由网络组牵头。"),
            reply("agent2", "已定位为电信出口光纤中断，正在切换到备用联通线路。"),
            move("resolve", "agent2", "主线路光纤被施工挖断，已切换至备用线路；运营商修复后已切回主线路。"),
            move("close", "lead1", "全员确认恢复，P1 复盘会已安排。"),
        ),
    ),
    DemoTicket(
        "closed",
        "bob",
        "Password reset for my ERP account",
        "Forgot my ERP password after the holiday.",
        "account-password",
        12 * DAY,
        channel="phone",
        registered_by="agent1",
        steps=(
            diagnose("agent1"),
            move(
                "resolve",
                "agent1",
                "Identity checked by employee id and phone; password reset, changed at first login.",
            ),
            move("confirm", "bob"),
        ),
    ),
    DemoTicket(
        "closed",
        "alice",
        "密码重置：域账号被锁定",
        "输错几次密码后域账号被锁定，无法登录电脑。",
        "account-password",
        15 * DAY,
        urgency=1,
        channel="walk_in",
        registered_by="agent1",
        steps=(
            diagnose("agent1"),
            move(
                "resolve",
                "agent1",
                "已核对工号与手机号，解锁账号并重置密码，用户已修改为新密码。建议定期更换密码。",
            ),
            move("confirm", "alice"),
        ),
    ),
    DemoTicket(
        "closed",
        "bob",
        "Keyboard keys sticking",
        "Several keys on my keyboard stick after coffee was spilled.",
        "hardware-peripheral",
        25 * DAY,
        urgency=3,
        steps=(diagnose("agent1"), move("resolve", "agent1", "Keyboard replaced."), move("confirm", "bob")),
    ),
    DemoTicket(
        "closed",
        "bob",
        "Outlook calendar not syncing with my phone",
        "Meetings I accept in Outlook do not show on my phone.",
        "software-office",
        10 * DAY,
        steps=(
            ack("agent1"),
            diagnose("agent1"),
            move("wait", "agent1", "Which phone and mail app are you using?"),
            reply("bob", "iPhone 14 with iOS 17.5, the built-in Mail and Calendar apps.", minutes=180),
            move(
                "resolve",
                "agent1",
                "Removed and re-added the Exchange account on the phone; calendar syncs again.",
            ),
            move("confirm", "bob"),
        ),
    ),
    DemoTicket(
        "closed",
        "alice",
        "申请开通 ERP 报销模块权限",
        "岗位调整后负责费用报销审核，需要 ERP 报销模块的审核权限。",
        "account-access",
        14 * DAY,
        urgency=3,
        steps=(
            diagnose("agent1"),
            escalate("agent1", "accounts", "岗位变动权限调整，需账号权限组处理。", "lead1"),
            move("plan", "lead1"),
            move(
                "request_approval",
                "lead1",
                "方案：授予 ERP 报销审核角色，移除原出纳角色。风险：中，职责分离需审批。",
            ),
            move("approve", "manager1", "同意，已与财务经理确认。"),
            move("resolve", "lead1", "已授予报销审核角色并移除出纳角色，用户验证可正常审核。"),
            move("confirm", "alice"),
        ),
    ),
    DemoTicket(
        "closed",
        "bob",
        "Network drive mapping disappears after reboot",
        "The S: drive is gone every morning.",
        "network",
        20 * DAY,
        urgency=3,
        steps=(
            diagnose("agent1"),
            move(
                "resolve", "agent1", "Drive mapping moved to the logon script; reconnects at every sign-in."
            ),
            move(
                "close",
                "agent1",
                "No reply from the requester for three working days; closed per the closing rule.",
                minutes=3 * 24 * 60,
            ),
        ),
    ),
    # ---- cancelled
    DemoTicket(
        "cancelled",
        "bob",
        "Wireless mouse not working",
        "My mouse stopped working.",
        "hardware-peripheral",
        6 * DAY,
        urgency=3,
        steps=(move("cancel", "bob", "Found the receiver was unplugged; it works now."),),
    ),
    DemoTicket(
        "cancelled",
        "alice",
        "申请安装 Photoshop",
        "需要处理宣传海报的图片。",
        "software-office",
        8 * DAY,
        urgency=3,
        steps=(
            ack("agent1"),
            reply("agent1", "Photoshop 需要部门经理审批并占用正版授权，请确认是否必须安装。"),
            move("cancel", "alice", "经与主管确认，改用在线工具，无需安装。"),
        ),
    ),
)
