"""Simplified Chinese translation memory for the mail strings (merged by translations_zh_hans.py)."""

TRANSLATIONS: dict[str, str | tuple[str, ...]] = {
    # ------------------------------------------------------------------ app and models
    "E-mail channel": "邮件渠道",
    "IMAP mailbox (fetched every minute)": "IMAP邮箱（每分钟收取）",
    "MTA pipe (itdesk mail ingest)": "邮件服务器管道（itdesk mail ingest）",
    "TLS (IMAPS, usually port 993)": "TLS（IMAPS，通常为993端口）",
    "STARTTLS (usually port 143)": "STARTTLS（通常为143端口）",
    "No encryption (only for a server on this machine)": "不加密（仅限本机上的服务器）",
    "Register the sender as a requester": "将发件人登记为请求人",
    "Reject with a polite reply": "拒绝并礼貌回复",
    "Open a new ticket for the sender": "为发件人新建工单",
    "Hold the message for the desk to review": "暂存邮件，由服务台审核",
    "name": "名称",
    "address": "地址",
    "The address people write to, e.g. itdesk@example.com.": "用户发信的地址，例如 itdesk@example.com。",
    "active": "启用",
    "kind": "类型",
    "IMAP server": "IMAP服务器",
    "IMAP port": "IMAP端口",
    "security": "加密方式",
    "user name": "用户名",
    "password": "密码",
    "password environment variable": "密码环境变量",
    "Read the password from this environment variable instead of storing it.": "从该环境变量读取密码，而不在数据库中保存。",
    "folder": "文件夹",
    "processed folder": "已处理文件夹",
    "Move processed messages to this folder; empty: leave them and mark them read.": (
        "处理后的邮件移到此文件夹；留空则保留原处并标记为已读。"
    ),
    "unknown senders": "未知发件人",
    "replies from outsiders": "外部人员的回复",
    "A reply naming a ticket from someone who is not its requester, a copied participant or desk staff.": (
        "引用某工单、但发件人既不是其请求人、抄送参与人，也不是服务台人员的回复。"
    ),
    "messages per sender per hour": "每个发件人每小时邮件数",
    "0 turns the limit off.": "0 表示不限制。",
    "messages per fetch": "每次收取邮件数",
    "last fetch": "上次收取",
    "mailbox": "邮箱",
    "mailboxes": "邮箱",
    "Processed": "已处理",
    "Ignored": "已忽略",
    "Quarantined": "已隔离",
    "Held": "已暂存",
    "Ticket created": "已创建工单",
    "Reply added to ticket": "已添加到工单的回复",
    "Message-ID": "Message-ID",
    "raw message": "原始邮件",
    "size": "大小",
    "sender": "发件人",
    "subject": "主题",
    "received": "收到时间",
    "status": "状态",
    "action": "处理结果",
    "reason": "原因",
    "detail": "详情",
    "ticket": "工单",
    "inbound message": "收到的邮件",
    "inbound messages": "收到的邮件",
    "added": "添加时间",
    "ticket participant": "工单参与人",
    "ticket participants": "工单参与人",
    "An IMAP mailbox needs its server.": "IMAP邮箱需要填写服务器。",
    "Without encryption the password would cross the network in clear text.": "不加密时，密码将以明文在网络上传输。",
    # ------------------------------------------------------------------ ingest
    "There is no inbound message %(id)s.": "不存在编号为 %(id)s 的收到邮件。",
    "Only quarantined or held messages can be processed again; this one is %(status)s.": (
        "只有已隔离或已暂存的邮件可以重新处理；此邮件的状态为 %(status)s。"
    ),
    "The raw message was not kept.": "未保留原始邮件。",
    "More than %(n)s messages from this sender in an hour.": "该发件人一小时内发送的邮件超过 %(n)s 封。",
    "%(sender)s is not a participant of ticket %(number)s.": "%(sender)s 不是工单 %(number)s 的参与人。",
    "Follow-up to the closed ticket %(number)s.": "此工单是已关闭工单 %(number)s 的后续。",
    "E-mail without subject": "无主题邮件",
    "(The e-mail had no text.)": "（邮件没有正文。）",
    "(By e-mail from %(sender)s, copied on this ticket.)": "（来自本工单抄送人 %(sender)s 的邮件。）",
    "files of this type are not accepted": "不接受此类型的文件",
    "larger than %(n)s MB": "超过 %(n)s MB",
    "the file is empty": "文件为空",
    "[Attachment “%(name)s” was not added: %(why)s.]": "［附件“%(name)s”未添加：%(why)s。］",
    "Your e-mail was not accepted": "您的邮件未被受理",
    (
        "Hello,\n\n"
        "Thank you for writing to the IT service desk. Your e-mail was not registered as a request, "
        "because requests by e-mail are only accepted from people the service desk knows.\n\n"
        "Please submit your request through the self-service portal, or contact the service desk "
        "by phone.\n\n"
        "This is an automatic reply; answers to it are not read."
    ): (
        "您好：\n\n"
        "感谢您联系IT服务台。您的邮件未被登记为服务请求，因为服务台只受理已登记人员通过邮件提交的请求。\n\n"
        "请通过自助服务门户提交请求，或致电服务台。\n\n"
        "这是一封自动回复邮件，回复此邮件不会被阅读。"
    ),
    # ------------------------------------------------------------------ admin
    "Leave empty to keep the stored password.": "留空则保留已保存的密码。",
    "remove the stored password": "删除已保存的密码",
    "Policies": "处理策略",
    "Last fetch": "上次收取",
    "Process the selected messages again": "重新处理所选邮件",
    "%(n)d message was processed again.": ("已重新处理 %(n)d 封邮件。",),
    "raw message kept": "已保留原始邮件",
}
