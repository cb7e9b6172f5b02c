"""Words for generated tickets: names, and ticket templates in Chinese and English after the seeds' scenarios."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN_NAMES = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
               "秀英", "霞", "平", "刚", "桂英", "晓东", "子涵", "浩然", "雨桐", "思远", "佳怡", "一鸣", "欣怡",
               "宇航", "梓萱", "俊杰", "诗涵", "文博", "嘉怡", "晨曦", "志强", "海燕", "建华"]  # fmt: skip
EN_NAMES = ["Alex Chen", "Emily Zhang", "David Liu", "Grace Wang", "Kevin Li", "Linda Zhou", "Michael Huang",
            "Sophie Lin", "Tom Wu", "Vivian Xu", "Jason Ma", "Cindy Guo", "Eric He", "Helen Sun", "Peter Zhao"]  # fmt: skip

# Values the templates pick from.
SLOTS: dict[str, list[str]] = {
    "floor": [str(n) for n in range(2, 13)],
    "room": ["3B", "5A", "6C", "8F", "大会议室", "培训室", "前台", "VIP 会议室"],
    "system": ["OA", "ERP", "CRM", "HR 系统", "报销系统", "合同管理系统", "SAP", "金蝶"],
    "system_en": ["OA", "ERP", "CRM", "HR portal", "expense system", "contract system", "SAP", "Kingdee"],
    "printer": [
        "HP LaserJet M406",
        "Canon iR-ADV C3530",
        "Ricoh IM C3000",
        "Brother HL-L8360",
        "Epson L6278",
    ],
    "laptop": [
        "ThinkPad T14 Gen 3",
        "ThinkPad X1 Carbon",
        "Dell Latitude 7440",
        "HP EliteBook 840",
        "MacBook Pro 14",
    ],
    "os": ["Windows 11 23H2", "Windows 10 22H2", "macOS 14 Sonoma", "Windows 11 24H2"],
    "app": ["Outlook", "Excel", "Word", "Teams", "企业微信", "钉钉", "WPS", "Chrome"],
    "code": ["809", "691", "720", "0x80070005", "0x0000007E", "ERR_CONNECTION_RESET", "403", "500"],
    "share": ["\\\\fs01\\finance", "\\\\fs01\\sales", "\\\\fs02\\rnd", "\\\\fs01\\hr", "\\\\fs02\\public"],
    "people": ["3", "5", "12", "20", "40"],
}


@dataclass(frozen=True)
class Template:
    """One kind of request, with its title, description and usual fix in both languages."""

    category: str
    weight: int
    zh: tuple[str, str, str]  # title, description, resolution
    en: tuple[str, str, str]
    details: dict[str, str] = field(default_factory=dict)  # ticket field -> slot name
    slots: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        texts = (*self.zh, *self.en)
        names = {
            name for text in texts for _lit, name, _spec, _conv in string.Formatter().parse(text) if name
        }
        object.__setattr__(self, "slots", frozenset(names | set(self.details.values())))


def fill(template: Template, zh: bool, rng: random.Random) -> tuple[str, str, str, dict[str, str]]:
    """Title, description, resolution and detail fields of one generated ticket."""
    values = {name: rng.choice(SLOTS[name]) for name in template.slots}
    title, description, resolution = template.zh if zh else template.en
    details = {name: values[slot] for name, slot in template.details.items()}
    return title.format_map(values), description.format_map(values), resolution.format_map(values), details


T = Template
TEMPLATES: list[Template] = [
    T("hardware-printer", 9,
      ("{floor}楼打印机卡纸", "打印时提示卡纸，打开前盖取出纸张后仍然报错，{people} 人无法打印。", "清理卡纸并更换搓纸轮，打印测试页正常。"),
      ("Printer on floor {floor} keeps jamming", "Paper jam error even after removing the paper.",
       "Cleared the jam and replaced the pickup roller; test page OK."),
      {"device_model": "printer"}),
    T("hardware-printer", 5,
      ("打印机打印出来是空白页", "{printer} 打印出来全是空白，换了文件也一样。", "更换硒鼓后打印正常。"),
      ("Printer prints blank pages", "The {printer} prints only blank pages.", "Replaced the toner cartridge."),
      {"device_model": "printer"}),
    T("hardware-pc", 7,
      ("电脑蓝屏，错误代码 {code}", "电脑一天蓝屏好几次，重启后可以用一会儿。", "内存条故障，已更换内存并做稳定性测试。"),
      ("Blue screen with stop code {code}", "The laptop crashes to a blue screen several times a day.",
       "Faulty memory module replaced; stress test passed."),
      {"device_model": "laptop", "os_version": "os"}),
    T("hardware-pc", 5,
      ("电脑开机黑屏，电源灯亮", "按电源键后电源灯亮但屏幕一直黑屏，风扇在转。", "主板供电异常，已送修并提供备用机。"),
      ("Laptop powers on but screen stays black", "Power light on, fan spinning, nothing on screen.",
       "Mainboard fault; sent for repair, loan laptop provided."),
      {"device_model": "laptop"}),
    T("hardware-peripheral", 4,
      ("{room} 投影仪无法识别电脑", "连接 HDMI 后投影仪显示无信号，下午有客户会议。", "更换转接头后投影正常。"),
      ("Projector in {room} not detected", "The projector shows 'No signal' over HDMI.", "Adapter replaced."),
      {}),
    T("hardware-peripheral", 3,
      ("显示器闪烁", "外接显示器每隔几分钟闪烁一次。", "更换 DP 线缆后恢复正常。"),
      ("External monitor flickers", "The external monitor flickers every few minutes.", "DP cable replaced."),
      {}),
    T("software-office", 8,
      ("{app} 无法发送邮件", "邮件一直停留在发件箱，其他人也收不到我的邮件。", "附件超过 25MB 限制，已指导使用网盘链接。"),
      ("{app} cannot send e-mail", "Messages stay in the Outbox.", "Attachment over the 25 MB limit; shared by link."),
      {"software_version": "app"}),
    T("software-office", 5,
      ("Excel 打开大文件卡死", "打开月结底稿时 Excel 未响应，需要等很久。", "关闭硬件加速并升级到最新版本后正常。"),
      ("Excel freezes on large workbooks", "Opening the month-end workbook hangs Excel.",
       "Disabled hardware acceleration and updated Office."),
      {"os_version": "os"}),
    T("software-os", 5,
      ("系统更新后电脑很慢", "昨晚自动更新后开机要十分钟，打开软件也很慢。", "磁盘空间不足，清理后并重建索引，速度恢复。"),
      ("Very slow after Windows update", "Start-up takes ten minutes since the update.",
       "Freed disk space and rebuilt the search index."),
      {"os_version": "os", "device_model": "laptop"}),
    T("software-business", 9,
      ("{system} 无法登录", "登录 {system} 时提示“密码错误”，但确认密码正确。", "账号被锁定，已解锁并同步密码。"),
      ("Cannot log in to the {system_en}", "The {system_en} says my password is wrong.",
       "Account was locked; unlocked and password synchronised."),
      {}),
    T("software-business", 6,
      ("{system} 报表导出乱码", "导出的报表用 Excel 打开后中文全部是乱码。", "调整导出编码为 UTF-8 BOM 后正常。"),
      ("{system_en} export shows garbled characters", "Exported reports show garbled text in Excel.",
       "Export encoding switched to UTF-8 with BOM."),
      {}),
    T("software-business", 4,
      ("{system} 访问很慢", "{system} 打开每个页面都要等半分钟，部门 {people} 人都一样。", "数据库索引重建，响应恢复正常。"),
      ("{system_en} is very slow", "Every page of the {system_en} takes half a minute.",
       "Rebuilt database indexes; response times back to normal."),
      {}),
    T("network-vpn", 8,
      ("VPN 连接失败，错误 {code}", "在家连接 VPN 提示错误 {code}，公司内网资源无法访问。", "已切换为 SSL VPN 配置文件，连接正常。"),
      ("VPN connection fails with error {code}", "Working from home, the VPN fails with error {code}.",
       "Switched the user to the SSL VPN profile."),
      {}),
    T("network-wifi", 6,
      ("{floor}楼 WiFi 经常断线", "{room} 的无线网络每隔十几分钟断开一次。", "调整 AP 信道并升级固件后稳定。"),
      ("Wi-Fi drops on floor {floor}", "Wi-Fi in {room} drops every few minutes.", "AP channel changed, firmware updated."),
      {}),
    T("network", 5,
      ("共享盘 {share} 无法访问", "打开共享盘提示“找不到网络路径”。", "文件服务器 SMB 服务重启后恢复。"),
      ("Cannot open the shared drive {share}", "Windows says the network path was not found.",
       "Restarted the SMB service on the file server."),
      {}),
    T("network", 2,
      ("{floor}楼整层无法上网", "{floor}楼所有人都打不开网页，内网也访问不了。", "接入交换机上联模块故障，已更换。"),
      ("Whole floor {floor} has no network", "Nobody on floor {floor} can reach anything.",
       "Faulty uplink module on the access switch replaced."),
      {}),
    T("account-password", 10,
      ("密码重置：域账号被锁定", "输错几次密码后账号被锁定，无法登录电脑。", "核实身份后解锁并重置密码。"),
      ("Password reset: account locked", "My domain account is locked after a few wrong passwords.",
       "Identity verified; account unlocked and password reset."),
      {}),
    T("account-access", 6,
      ("申请开通 {system} 权限", "岗位调整后需要 {system} 的审批权限。", "经审批后已开通对应角色权限。"),
      ("Access request for the {system_en}", "I need approver rights in the {system_en} for my new role.",
       "Role granted after approval."),
      {}),
    T("service-request", 6,
      ("新员工入职开通账号", "新同事下周一入职，需要开通域账号、邮箱和 {system} 账号。", "已开通域账号、邮箱及业务系统账号。"),
      ("New starter accounts", "A new colleague starts on Monday and needs an account, mailbox and {system_en}.",
       "Account, mailbox and application access created."),
      {}),
    T("service-request", 3,
      ("员工离职账号冻结", "同事本周五离职，请冻结其账号并转移邮箱。", "账号已冻结，邮箱已转交主管。"),
      ("Leaver: disable accounts", "A colleague leaves on Friday; please disable the account and hand over mail.",
       "Account disabled, mailbox delegated to the manager."),
      {}),
    T("security", 3,
      ("收到可疑钓鱼邮件并点击了链接", "收到“发票逾期”邮件，点击链接后输入了账号密码。", "已重置密码、吊销会话并完成终端查杀。"),
      ("Clicked a link in a phishing e-mail", "I typed my password on a page from an 'overdue invoice' mail.",
       "Password reset, sessions revoked, endpoint scanned clean."),
      {}),
    T("security", 2,
      ("电脑疑似中病毒", "电脑弹出大量广告窗口，浏览器主页被篡改。", "清除恶意软件并恢复浏览器设置。"),
      ("Laptop looks infected", "Pop-ups everywhere and the browser home page changed.",
       "Malware removed and browser settings restored."),
      {"device_model": "laptop"}),
    T("consulting", 4,
      ("咨询：如何设置邮件自动回复", "下周休假，想设置 {app} 自动回复。", "已远程指导设置自动回复。"),
      ("How do I set an out-of-office reply?", "I am on leave next week.", "Walked the user through it."),
      {}),
    T("custom", 1,
      ("部门数据迁移到新共享盘", "部门需要把 {share} 的资料迁移到新的共享盘。", "数据迁移完成并校验一致。"),
      ("Migrate department data to the new share", "Please move {share} to the new file server.",
       "Migration completed and verified."),
      {}),
]  # fmt: skip

AGENT_REPLIES = {
    True: ["您好，已收到您的问题，我们正在处理。", "请先重启电脑后再试一次，看问题是否还在。", "我们将在 30 分钟内联系您，请保持电话畅通。",
           "已远程连接查看，请不要操作鼠标。", "请提供一下报错截图，谢谢。"],
    False: ["Thanks, we are looking into it.", "Please restart the laptop and try again.",
            "We will call you within 30 minutes.", "Connected remotely, please don't move the mouse.",
            "Could you send a screenshot of the error?"],
}  # fmt: skip
INTERNAL_NOTES = ["已查知识库，按 FAQ 处理未解决。", "远程协助已征得用户同意。", "疑似硬件问题，准备升级到二线。",
                  "同类问题本周第三次，建议纳入月度复盘。", "已联系供应商，等待备件。"]  # fmt: skip
REQUESTER_REPLIES = {
    True: ["好的，谢谢！", "重启后还是不行。", "截图已发到您邮箱。", "现在可以了，谢谢。"],
    False: [
        "OK, thanks!",
        "Still the same after a restart.",
        "Screenshot sent by e-mail.",
        "It works now, thanks.",
    ],
}
WAIT_QUESTIONS = {
    True: "请确认问题出现的具体时间和报错信息。",
    False: "Please tell us when exactly it happened and what the error said.",
}
CANCEL_REASONS = {True: "问题已自行解决，撤销申请。", False: "Solved it myself, withdrawing the request."}
