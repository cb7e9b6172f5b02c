"""Demo knowledge base articles (played by `itdesk demo` through the services; idempotent by title).

Content follows the seeds' FAQ: jammed printers, VPN error 809, Outlook stuck in the outbox, password
resets, in Chinese and in English.
"""

from __future__ import annotations

from dataclasses import dataclass

from itdesk.accounts.models import User
from itdesk.kb import services
from itdesk.kb.choices import ArticleStatus, ArticleType, Language, Visibility
from itdesk.kb.models import Article
from itdesk.tickets.models import Category


@dataclass(frozen=True)
class DemoArticle:
    title: str
    body: str
    keywords: tuple[str, ...]
    category: str
    article_type: str = ArticleType.FAQ
    language: str = Language.ZH_HANS
    visibility: str = Visibility.PUBLIC
    status: str = ArticleStatus.PUBLISHED


ARTICLES: tuple[DemoArticle, ...] = (
    DemoArticle(
        title="打印机卡纸处理",
        body=(
            "打印机提示**卡纸**（常见报错 E05）时，请按以下步骤处理：\n\n"
            "1. 关闭打印机电源，等待 1 分钟。\n"
            "2. 打开前盖和纸盒，**顺着走纸方向**轻轻取出卡住的纸张，不要用力撕扯。\n"
            "3. 检查纸盒中的纸张是否平整、是否超过装纸上限标记。\n"
            "4. 合上前盖，重新开机，打印一张测试页。\n\n"
            "如果仍然卡纸，或打印机显示其他错误代码，请提交服务请求并注明打印机位置和编号。"
        ),
        keywords=("打印机", "卡纸", "E05", "printer", "paper jam"),
        category="hardware-printer",
        article_type=ArticleType.HOW_TO,
    ),
    DemoArticle(
        title="VPN连接失败（错误 809）",
        body=(
            "VPN 客户端提示**连接失败**或**错误 809** 时：\n\n"
            "- 确认电脑已连接互联网（能打开外部网站）。\n"
            "- 酒店、机场等公共网络可能屏蔽 VPN 端口：请改用手机热点再试。\n"
            "- 重启 VPN 客户端；仍失败时重启电脑。\n"
            "- 检查账号密码是否过期（密码过期也会导致认证超时）。\n\n"
            "以上均无效时，请提交请求，附上 VPN 客户端的错误截图。"
        ),
        keywords=("VPN", "809", "连接失败", "远程办公", "认证超时"),
        category="network-vpn",
        article_type=ArticleType.KNOWN_ERROR,
    ),
    DemoArticle(
        title="Outlook 无法发送邮件",
        body=(
            "邮件一直停留在**发件箱**、无法发送时：\n\n"
            "1. 检查 Outlook 右下角是否显示“脱机工作”，如是，在“发送/接收”中关闭脱机。\n"
            "2. 附件总大小不要超过 20 MB，大文件请使用公司网盘共享链接。\n"
            "3. 删除发件箱中卡住的邮件，重新发送。\n"
            "4. 重启 Outlook；如提示输入密码，请输入最新的域账号密码。"
        ),
        keywords=("Outlook", "邮件", "发件箱", "发送失败", "email"),
        category="software-office",
    ),
    DemoArticle(
        title="密码重置",
        body=(
            "忘记域账号密码或密码已过期时，可以自助重置：\n\n"
            "1. 打开自助服务门户的“密码重置”页面。\n"
            "2. 输入工号，通过手机短信验证码验证身份。\n"
            "3. 设置新密码：至少 12 位，包含大小写字母和数字，不能与最近 5 次相同。\n\n"
            "重置后请在所有设备（手机邮箱、VPN）上更新密码，否则账号可能被锁定。"
        ),
        keywords=("密码", "重置", "忘记密码", "账号锁定", "password reset"),
        category="account-password",
    ),
    DemoArticle(
        title="Printer paper jam: clearing it safely",
        body=(
            "When the printer reports a **paper jam** (error E05):\n\n"
            "1. Switch the printer off and wait a minute.\n"
            "2. Open the front cover and the tray; pull the paper out **in the direction it travels**.\n"
            "3. Check that the paper in the tray is flat and below the fill mark.\n"
            "4. Close everything, switch on and print a test page.\n\n"
            "Still jammed, or another error code? Submit a request with the printer's location and number."
        ),
        keywords=("printer", "paper jam", "E05", "打印机", "卡纸"),
        category="hardware-printer",
        article_type=ArticleType.HOW_TO,
        language=Language.EN,
    ),
    DemoArticle(
        title="Outlook cannot send e-mail",
        body=(
            "Messages stuck in the **Outbox**:\n\n"
            "- Turn off *Work Offline* on the Send/Receive tab.\n"
            "- Keep attachments under 20 MB; share big files as a link.\n"
            "- Delete the stuck message from the Outbox and send it again.\n"
            "- Restart Outlook and enter your current domain password if asked."
        ),
        keywords=("Outlook", "outbox", "e-mail", "邮件"),
        category="software-office",
        language=Language.EN,
    ),
    DemoArticle(
        title="VPN 集中器证书更新（内部）",
        body=(
            "**仅供服务台内部参考。** VPN 集中器证书每年 3 月到期，到期前两周由网络组更新。"
            "证书过期期间用户会看到错误 809 或“证书无效”，一线直接升级给网络组，不要让用户重装客户端。"
        ),
        keywords=("VPN", "证书", "809", "网络组"),
        category="network-vpn",
        article_type=ArticleType.KNOWN_ERROR,
        visibility=Visibility.INTERNAL,
    ),
)


def ensure_demo_articles(author: User) -> int:
    """Write the demo articles that do not exist yet (looked up by title); return how many were written."""
    categories = {c.code: c for c in Category.objects.all()}
    existing = set(
        Article.objects.filter(title__in=[a.title for a in ARTICLES]).values_list("title", flat=True)
    )
    written = 0
    for spec in ARTICLES:
        if spec.title in existing:
            continue
        services.create_article(
            actor=author,
            title=spec.title,
            body=spec.body,
            keywords=list(spec.keywords),
            status=spec.status,
            category=categories.get(spec.category),
            article_type=spec.article_type,
            language=spec.language,
            visibility=spec.visibility,
        )
        written += 1
    return written
