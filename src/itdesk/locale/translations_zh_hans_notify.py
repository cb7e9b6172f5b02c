"""Simplified Chinese translation memory for the notify strings (merged by translations_zh_hans.py)."""

TRANSLATIONS: dict[str, str | tuple[str, ...]] = {
    # ------------------------------------------------------------------ kinds of notification
    "Request received": "已收到请求",
    "Its number and the expected response time.": "工单编号和预计响应时间。",
    "Request acknowledged": "请求已受理",
    "Passed to a specialist group": "已升级至专业技术支持小组",
    "Priority changed": "优先级已调整",
    "The desk needs your answer": "服务台需要您的答复",
    "Reply from the desk": "服务台的回复",
    "Resolved — please confirm": "已解决，请确认",
    "Closed, with the satisfaction survey": "已关闭（附满意度调查）",
    "Request cancelled": "请求已取消",
    "The requester replied": "请求人已回复",
    "Ticket escalated to your group": "工单已升级至您的小组",
    "Approval requested": "待审批",
    "DingTalk": "钉钉",
    "WeCom": "企业微信",
    "Feishu": "飞书",
    # ------------------------------------------------------------------ models
    "event": "事件",
    "person": "人员",
    "The person the message is for; empty for a group address.": "消息的接收人；发往小组邮箱时为空。",
    "channels": "渠道",
    "Channel names; empty means off.": "渠道名称；为空表示关闭。",
    "updated": "更新时间",
    "notification preference": "通知设置",
    "notification preferences": "通知设置",
    # ------------------------------------------------------------------ preferences service
    "Unknown notification.": "未知的通知类型。",
    "Give a list of channel names.": "请提供渠道名称列表。",
    "Unknown channel: %(names)s": "未知渠道：%(names)s",
    "This notification cannot be switched off: keep at least one channel.": "此通知不能关闭：请至少保留一个渠道。",
    # ------------------------------------------------------------------ messages
    "[%(number)s] Your request is closed — tell us how we did": "[%(number)s] 您的请求已关闭，请评价我们的服务",
    "[%(number)s] Approval requested: %(title)s": "[%(number)s] 待审批：%(title)s",
    "Confirm or reopen": "确认或重新打开",
    "Tell us how we did": "评价我们的服务",
    "Answer the question": "回复问题",
    "Review the plan": "审阅方案",
    "Open the ticket": "查看工单",
    "Hello %(name)s,": "%(name)s，您好：",
    "ITDesk — IT service desk. This message was sent automatically.": "ITDesk — IT服务台。此邮件由系统自动发送。",
    "We will respond by %(response_due)s at the latest.": "我们最迟将于 %(response_due)s 前响应。",
    "Your request is handled by %(name)s.": "您的请求由 %(name)s 处理。",
    "It is now with: %(group)s.": "当前处理小组：%(group)s。",
    "Requester: %(name)s": "请求人：%(name)s",
    "Reason: %(note)s": "原因：%(note)s",
    "Our question:": "我们的问题：",
    "The time you take to answer does not count against the service level.": "等待您答复的时间不计入服务时限。",
    "Your request is closed. Thank you for your patience.": "您的请求已关闭，感谢您的耐心配合。",
    "Tell us how we did: %(survey_url)s": "请评价我们的服务：%(survey_url)s",
    "%(name)s wrote:": "%(name)s 写道：",
    "The plan for ticket %(number)s needs your approval before it is carried out.": (
        "工单 %(number)s 的方案需要您审批后才能执行。"
    ),
    "Open the ticket to read the plan and its risk, then approve or reject it.": (
        "请打开工单查看方案及其风险，然后批准或驳回。"
    ),
    # ------------------------------------------------------------------ admin
    "Retry now (pending and failed messages)": "立即重试（待发送和发送失败的消息）",
    "%(count)d message will be sent again now.": ("%(count)d 条消息将立即重新发送。",),
    # ------------------------------------------------------------------ API
    "False: messages chosen for it go by e-mail instead.": "为 false 时：选择此渠道的消息改为通过邮件发送。",
    "Cannot be switched off: keep at least one channel.": "不能关闭：请至少保留一个渠道。",
    'Event key -> channel names, e.g. {"acknowledged": [], "reply": ["email", "wecom"]}.': (
        '事件键 -> 渠道名称，例如 {"acknowledged": [], "reply": ["email", "wecom"]}。'
    ),
    "Get my notification settings": "获取我的通知设置",
    "Change my notification settings": "修改我的通知设置",
    "Unknown event or channel, or a mandatory one switched off.": "未知的事件或渠道，或关闭了必需的通知。",
    "List a ticket's notifications": "列出工单的通知",
    "Only the desk sees notifications.": "只有服务台可以查看通知。",
    # ------------------------------------------------------------------ pages
    "Notification settings": "通知设置",
    "Choose how ITDesk tells you about your requests and the tickets you work on.": (
        "选择ITDesk通过哪些渠道通知您请求和您处理的工单的进展。"
    ),
    "Notification": "通知",
    "not linked: e-mail is used instead": "未绑定：改用邮件",
    "Required: keep at least one channel.": "必需：请至少保留一个渠道。",
    "A notification without any channel ticked is switched off. Messages for a chat app you have not linked go to your e-mail.": (
        "未勾选任何渠道的通知即为关闭。发往未绑定聊天应用的消息会改发到您的邮箱。"
    ),
    "Save settings": "保存设置",
    "Nothing was saved: correct the marked rows.": "未保存：请更正标出的行。",
    "Your notification settings are saved.": "您的通知设置已保存。",
    "Queued": "已排队",
    "%(attempts)s attempt": ("已尝试 %(attempts)s 次",),
    "next try": "下次尝试",
    "No notifications were sent about this ticket.": "此工单尚未发送任何通知。",
    # ------------------------------------------------------------------ the outbox renders when it sends
    "Written when queued, or rendered from the template when sent.": "排队时写入，或在发送时由模板渲染生成。",
    "template": "模板",
    "The notification template the body is rendered from when the message is sent.": "发送消息时用于渲染正文的通知模板。",
    "template values": "模板取值",
    "What the message shows, as it stood when the message was queued.": "消息所显示的内容，保持排队时的状态。",
}
