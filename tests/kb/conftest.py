"""Fixtures for the knowledge base tests: articles written through the services."""

import pytest

from itdesk.kb import services
from itdesk.tickets.models import Category


@pytest.fixture
def printer_category(db):
    return Category.objects.get(code="hardware-printer")


@pytest.fixture
def make_article(agent1):
    """Write an article through the services (published and public unless told otherwise)."""

    def make(title="打印机卡纸处理", body="关闭电源，顺着走纸方向取出卡纸。", actor=None, **fields):
        fields.setdefault("status", "published")
        fields.setdefault("visibility", "public")
        return services.create_article(actor=actor or agent1, title=title, body=body, **fields)

    return make
