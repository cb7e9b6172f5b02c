"""Fixtures for the IM channel: a fake platform server on 127.0.0.1 and one integration per platform."""

import pytest

from tests.im.fake_platforms import FakePlatforms

WECOM_TOKEN = "wecom-callback-token"
WECOM_AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
DINGTALK_APP_SECRET = "dingappsecret"
FEISHU_VERIFICATION_TOKEN = "feishu-verification-token"
FEISHU_ENCRYPT_KEY = "feishu-encrypt-key"
SLACK_SIGNING_SECRET = "slack-signing-secret"


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    from django.core.cache import cache

    settings.ITDESK_OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fake():
    server = FakePlatforms().start()
    yield server
    server.stop()


@pytest.fixture
def dingtalk(db, fake):
    from itdesk.channels.im.models import ImIntegration

    c = fake.config
    return ImIntegration.objects.create(
        name="DingTalk IT group",
        platform="dingtalk",
        api_base=fake.base_url,
        robot_url=f"{fake.base_url}/robot/send?access_token={c.dingtalk_robot_token}",
        robot_secret=c.dingtalk_robot_secret,
        app_id=c.dingtalk_app_key,
        app_secret=c.dingtalk_app_secret,
        agent_id=str(c.dingtalk_agent_id),
    )


@pytest.fixture
def wecom(db, fake):
    from itdesk.channels.im.models import ImIntegration

    c = fake.config
    return ImIntegration.objects.create(
        name="WeCom IT group",
        platform="wecom",
        api_base=fake.base_url,
        robot_url=c.wecom_robot_key,
        app_id=c.wecom_corp_id,
        app_secret=c.wecom_corp_secret,
        agent_id=str(c.wecom_agent_id),
        callback_token=WECOM_TOKEN,
        encrypt_key=WECOM_AES_KEY,
    )


@pytest.fixture
def feishu(db, fake):
    from itdesk.channels.im.models import ImIntegration

    c = fake.config
    return ImIntegration.objects.create(
        name="Feishu IT group",
        platform="feishu",
        api_base=fake.base_url,
        robot_url=f"{fake.base_url}/open-apis/bot/v2/hook/{c.feishu_hook_id}",
        robot_secret=c.feishu_robot_secret,
        app_id=c.feishu_app_id,
        app_secret=c.feishu_app_secret,
        callback_token=FEISHU_VERIFICATION_TOKEN,
    )


@pytest.fixture
def slack(db, fake):
    from itdesk.channels.im.models import ImIntegration

    c = fake.config
    return ImIntegration.objects.create(
        name="Slack #it-desk",
        platform="slack",
        api_base=fake.base_url,
        robot_url=f"{fake.base_url}{c.slack_hook_path}",
        bot_token=c.slack_bot_token,
        signing_secret=SLACK_SIGNING_SECRET,
    )


@pytest.fixture
def all_platforms(dingtalk, wecom, feishu, slack):
    return {"dingtalk": dingtalk, "wecom": wecom, "feishu": feishu, "slack": slack}
