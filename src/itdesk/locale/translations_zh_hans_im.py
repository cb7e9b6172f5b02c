"""Simplified Chinese translation memory for the im strings (merged by translations_zh_hans.py)."""

TRANSLATIONS: dict[str, str | tuple[str, ...]] = {
    # platforms and choices
    "DingTalk": "钉钉",
    "WeCom": "企业微信",
    "Feishu": "飞书",
    "Slack": "Slack",
    "Ticket escalated": "工单已升级",
    "Ticket resolved": "工单已解决",
    "Ticket closed": "工单已关闭",
    "Requester replied": "请求人已回复",
    "Create a requester account": "创建请求人账号",
    "Refuse politely": "礼貌拒绝",
    "Reply added": "已添加回复",
    "Status given": "已告知状态",
    "Refused": "已拒绝",
    # models
    "platform": "平台",
    "API base URL": "API 基础地址",
    "Leave empty for the platform's official API (set it for Lark or a proxy).": (
        "留空则使用平台官方 API（使用 Lark 国际版或代理时填写）。"
    ),
    "Language of robot posts and of answers to people with no preferred language.": (
        "机器人通知以及回复未设置首选语言的人员时使用的语言。"
    ),
    "group robot webhook URL": "群机器人 Webhook 地址",
    "The webhook address the platform shows for the group robot (WeCom: the URL or its key).": (
        "平台为群机器人显示的 Webhook 地址（企业微信：地址或其中的 key）。"
    ),
    "group robot signing secret": "群机器人签名密钥",
    "DingTalk: the SEC… secret of the “sign” security setting; Feishu: the signature secret.": (
        "钉钉：安全设置“加签”中以 SEC 开头的密钥；飞书：签名校验密钥。"
    ),
    "events posted to the group robot": "推送到群机器人的事件",
    "app key / app id / corp id": "AppKey / App ID / 企业 ID",
    "DingTalk: AppKey; Feishu: App ID; WeCom: the corp id.": "钉钉：AppKey；飞书：App ID；企业微信：企业 ID（CorpID）。",
    "app secret": "应用密钥",
    "DingTalk: AppSecret; Feishu: App Secret; WeCom: the app's Secret.": (
        "钉钉：AppSecret；飞书：App Secret；企业微信：应用的 Secret。"
    ),
    "agent id": "应用 AgentId",
    "DingTalk and WeCom.": "钉钉和企业微信。",
    "bot token": "机器人令牌",
    "Slack: the xoxb-… bot token.": "Slack：以 xoxb- 开头的 Bot Token。",
    "signing secret": "签名密钥",
    "Slack: the signing secret.": "Slack：Signing Secret。",
    "callback token": "回调令牌",
    "Feishu: Verification Token; WeCom: the callback Token.": "飞书：Verification Token；企业微信：回调 Token。",
    "encryption key": "加密密钥",
    "Feishu: Encrypt Key; WeCom: EncodingAESKey.": "飞书：Encrypt Key；企业微信：EncodingAESKey。",
    "messages from unknown people": "来自未知人员的消息",
    "IM integration": "即时通讯集成",
    "IM integrations": "即时通讯集成",
    "platform user id": "平台用户 ID",
    "name on the platform": "平台上的名称",
    "IM identity": "即时通讯身份",
    "IM identities": "即时通讯身份",
    "integration": "集成",
    "platform message id": "平台消息 ID",
    "answer": "答复",
    "inbound IM message": "收到的即时通讯消息",
    "inbound IM messages": "收到的即时通讯消息",
    # robot posts
    "New ticket %(number)s: %(title)s": "新工单 %(number)s：%(title)s",
    "Ticket %(number)s escalated: %(title)s": "工单 %(number)s 已升级：%(title)s",
    "Ticket %(number)s resolved: %(title)s": "工单 %(number)s 已解决：%(title)s",
    "Ticket %(number)s closed: %(title)s": "工单 %(number)s 已关闭：%(title)s",
    "The requester replied on %(number)s: %(title)s": "请求人回复了工单 %(number)s：%(title)s",
    "SLA warning on %(number)s: %(title)s": "工单 %(number)s SLA 预警：%(title)s",
    "SLA breached on %(number)s: %(title)s": "工单 %(number)s SLA 已超时：%(title)s",
    # answers to incoming messages
    "Ticket %(number)s created: %(title)s. Write “#%(number)s” before a message to add to it.": (
        "已创建工单 %(number)s：%(title)s。补充信息时请在消息前写上“#%(number)s”。"
    ),
    "Added to ticket %(number)s (%(status)s).": "已添加到工单 %(number)s（%(status)s）。",
    "Ticket %(number)s: %(title)s — %(status)s.": "工单 %(number)s：%(title)s — %(status)s。",
    "Ticket %(number)s is closed. Send your message without the number to open a new request.": (
        "工单 %(number)s 已关闭。如需提交新的请求，请发送不带工单编号的消息。"
    ),
    "Please describe what you need help with.": "请描述您需要什么帮助。",
    "Sorry, this service desk only takes requests from registered colleagues. Please contact IT support.": (
        "抱歉，服务台只受理已登记同事的请求。请联系IT技术支持。"
    ),
    "Sorry, your message could not be registered: %(reason)s": "抱歉，您的消息未能登记：%(reason)s",
    "Only text messages are understood. Please describe your request in words.": (
        "机器人只能理解文字消息，请用文字描述您的请求。"
    ),
    # admin
    "remove stored secrets": "删除已保存的密钥",
    "group robot": "群机器人",
    "app": "应用",
    "callback URL to paste in the platform's console": "需填入平台后台的回调地址",
    "Saved integrations show their callback URL here.": "保存集成后将在此显示其回调地址。",
    "Send a test message to the group robot": "向群机器人发送测试消息",
    "%(name)s has no group robot configured.": "%(name)s 未配置群机器人。",
    "ITDesk test message": "ITDesk 测试消息",
    "This group will receive service desk notifications from %(name)s.": "本群将通过 %(name)s 接收服务台通知。",
    "%(name)s: the test message was not accepted: %(error)s": "%(name)s：测试消息未被接受：%(error)s",
    "%(name)s: test message sent.": "%(name)s：测试消息已发送。",
}
