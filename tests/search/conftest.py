"""A small Chinese/English corpus: tickets through the ticket services, articles through a fake builder.

The fake "article" kind stands in for the knowledge base, so these tests exercise the search package
alone; the real article builder is put back afterwards.
"""

from dataclasses import replace

import pytest

from itdesk.search import registry, services
from itdesk.search.registry import DESK, GROUP, Document
from itdesk.tickets import services as ticket_services


class FakeArticles:
    """Articles as plain documents: `add` stores and indexes one, `remove` forgets it (not the index)."""

    def __init__(self):
        self.documents = {}

    def build(self, ids):
        return [self.documents[pk] for pk in ids if pk in self.documents]

    def add(self, pk, title, body, keywords="", **fields):
        self.documents[pk] = Document(
            kind="article",
            object_id=pk,
            title=title,
            body=body,
            keywords=keywords,
            url=f"/kb/{pk}/",
            **fields,
        )
        services.reindex("article", [pk])
        return self.documents[pk]

    def change(self, pk, **fields):
        self.documents[pk] = replace(self.documents[pk], **fields)
        services.reindex("article", [pk])


@pytest.fixture
def articles(db):
    previous = registry._KINDS.get("article")
    fake = FakeArticles()
    registry.register("article", fake.build, all_ids=lambda: list(fake.documents))
    yield fake
    if previous is not None:
        registry._KINDS["article"] = previous
    else:
        registry.unregister("article")


@pytest.fixture
def indexed(django_capture_on_commit_callbacks):
    """Run a ticket service and the indexing it schedules for after commit."""

    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


@pytest.fixture
def corpus(articles, indexed, service_desk, network_group, alice, bob, agent1):
    """Articles of every visibility, and tickets of alice's and bob's with replies and an internal note."""
    articles.add(
        1,
        "打印机卡纸处理",
        "打开前盖，取出卡住的纸张，再检查进纸器是否有碎纸。Open the front cover and remove the jammed paper.",
        keywords="打印机, 卡纸, printer jam",
    )
    articles.add(
        2,
        "VPN连接失败（错误 809）",
        "在家连接 VPN 提示错误 809：请检查家中路由器是否放行 L2TP。",
        "VPN, 远程办公",
    )
    articles.add(
        3, "重置密码", "忘记密码时，在自助门户用手机验证码重置密码；在外地也可以先连接 VPN 再重置。", "密码"
    )
    articles.add(
        4,
        "Outlook cannot send email",
        "If Outlook keeps messages in the Outbox, check the mailbox quota. 无法发送邮件时先清理邮箱。",
        "outlook, email",
        language="en",
    )
    articles.add(5, "Printer driver install", "How to install the driver for a new printer. 安装打印机驱动。")
    articles.add(6, "打印机固件升级（草稿）", "固件升级步骤尚未审核。", published=False)
    articles.add(7, "打印服务器重启步骤", "仅限服务台：重启打印服务器前先通知各楼层。", audience=DESK)
    articles.add(
        8, "核心交换机巡检", "网络组每周巡检核心交换机端口。", audience=GROUP, group_id=network_group.pk
    )

    jam = indexed(
        ticket_services.create_ticket,
        actor=alice,
        title="打印机卡纸",
        description="三楼的打印机一直卡纸，错误代码 0x80070005。",
    )
    indexed(
        ticket_services.add_comment,
        ticket=jam,
        actor=agent1,
        body="内部备注：供应商合同 ABC123 快到期",
        internal=True,
    )
    vpn = indexed(
        ticket_services.create_ticket,
        actor=bob,
        title="VPN连接失败",
        description="在家连不上 VPN，提示错误 809。",
    )
    outlook = indexed(
        ticket_services.create_ticket,
        actor=bob,
        title="Outlook 无法发送邮件",
        description="邮件一直停在发件箱里。Messages are stuck in the Outbox.",
    )
    password = indexed(
        ticket_services.create_ticket,
        actor=alice,
        title="Password reset",
        description="I forgot my password and need it reset before the meeting.",
    )
    return {"jam": jam, "vpn": vpn, "outlook": outlook, "password": password}
