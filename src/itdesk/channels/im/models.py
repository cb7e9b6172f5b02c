"""IM integrations (DingTalk, WeCom, Feishu, Slack), people's IM identities and the inbound message log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itdesk.core.crypto import EncryptedTextField


class Platform(models.TextChoices):
    DINGTALK = "dingtalk", _("DingTalk")
    WECOM = "wecom", _("WeCom")
    FEISHU = "feishu", _("Feishu")
    SLACK = "slack", _("Slack")


# The official API origin of each platform; tests (and Lark users) point api_base elsewhere.
DEFAULT_API_BASE = {
    Platform.DINGTALK: "https://oapi.dingtalk.com",
    Platform.WECOM: "https://qyapi.weixin.qq.com",
    Platform.FEISHU: "https://open.feishu.cn",
    Platform.SLACK: "https://slack.com",
}


class RobotEvent(models.TextChoices):
    CREATED = "created", _("Ticket created")
    ESCALATED = "escalated", _("Ticket escalated")
    RESOLVED = "resolved", _("Ticket resolved")
    CLOSED = "closed", _("Ticket closed")
    REQUESTER_REPLY = "requester_reply", _("Requester replied")
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACH = "sla_breach", _("SLA breached")


class InboundPolicy(models.TextChoices):
    CREATE_REQUESTER = "create_requester", _("Create a requester account")
    REFUSE = "refuse", _("Refuse politely")


def default_robot_events() -> list[str]:
    """Group robots hear about new, escalated and SLA-breached tickets unless told otherwise."""
    return [RobotEvent.CREATED, RobotEvent.ESCALATED, RobotEvent.SLA_BREACH]


class ImIntegration(models.Model):
    """One connection to an IM platform: a group robot for notices and/or an app for people and callbacks."""

    name = models.CharField(_("name"), max_length=120)
    platform = models.CharField(_("platform"), max_length=10, choices=Platform.choices)
    active = models.BooleanField(_("active"), default=True)
    api_base = models.URLField(
        _("API base URL"),
        blank=True,
        help_text=_("Leave empty for the platform's official API (set it for Lark or a proxy)."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Language of robot posts and of answers to people with no preferred language."),
    )
    robot_url = EncryptedTextField(
        _("group robot webhook URL"),
        blank=True,
        help_text=_(
            "The webhook address the platform shows for the group robot (WeCom: the URL or its key)."
        ),
    )
    robot_secret = EncryptedTextField(
        _("group robot signing secret"),
        blank=True,
        help_text=_(
            "DingTalk: the SEC… secret of the “sign” security setting; Feishu: the signature secret."
        ),
    )
    robot_events = models.JSONField(
        _("events posted to the group robot"), default=default_robot_events, blank=True
    )
    app_id = models.CharField(
        _("app key / app id / corp id"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk: AppKey; Feishu: App ID; WeCom: the corp id."),
    )
    app_secret = EncryptedTextField(
        _("app secret"),
        blank=True,
        help_text=_("DingTalk: AppSecret; Feishu: App Secret; WeCom: the app's Secret."),
    )
    agent_id = models.CharField(_("agent id"), max_length=40, blank=True, help_text=_("DingTalk and WeCom."))
    bot_token = EncryptedTextField(_("bot token"), blank=True, help_text=_("Slack: the xoxb-… bot token."))
    signing_secret = EncryptedTextField(
        _("signing secret"), blank=True, help_text=_("Slack: the signing secret.")
    )
    callback_token = EncryptedTextField(
        _("callback token"), blank=True, help_text=_("Feishu: Verification Token; WeCom: the callback Token.")
    )
    encrypt_key = EncryptedTextField(
        _("encryption key"), blank=True, help_text=_("Feishu: Encrypt Key; WeCom: EncodingAESKey.")
    )
    inbound_policy = models.CharField(
        _("messages from unknown people"),
        max_length=20,
        choices=InboundPolicy.choices,
        default=InboundPolicy.CREATE_REQUESTER,
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("IM integration")
        verbose_name_plural = _("IM integrations")
        ordering = ["platform", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_platform_display()})"

    @property
    def base_url(self) -> str:
        """Where the platform's API lives for this integration."""
        return (self.api_base or DEFAULT_API_BASE[Platform(self.platform)]).rstrip("/")

    @property
    def has_robot(self) -> bool:
        """Whether a group robot is configured."""
        return bool(self.robot_url)

    @property
    def has_app(self) -> bool:
        """Whether app credentials for messaging people are configured."""
        if self.platform == Platform.SLACK:
            return bool(self.bot_token)
        if self.platform in (Platform.DINGTALK, Platform.WECOM):
            return bool(self.app_id and self.app_secret and self.agent_id)
        return bool(self.app_id and self.app_secret)

    @property
    def answer_language(self) -> str:
        """Default language of answers: the integration's, else Chinese for Chinese platforms."""
        if self.language:
            return self.language
        return "en" if self.platform == Platform.SLACK else "zh-hans"


class ImIdentity(models.Model):
    """Who a person is on an IM platform (DingTalk userid, WeCom userid, Feishu open_id, Slack user id)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="im_identities",
    )
    platform = models.CharField(_("platform"), max_length=10, choices=Platform.choices)
    external_id = models.CharField(_("platform user id"), max_length=200)
    display_name = models.CharField(_("name on the platform"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("IM identity")
        verbose_name_plural = _("IM identities")
        constraints = [
            models.UniqueConstraint(fields=["platform", "external_id"], name="im_identity_unique_external"),
            models.UniqueConstraint(fields=["user", "platform"], name="im_identity_unique_user_platform"),
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.external_id}"


class InboundAction(models.TextChoices):
    CREATED = "created", _("Ticket created")
    COMMENTED = "commented", _("Reply added")
    STATUS = "status", _("Status given")
    REFUSED = "refused", _("Refused")
    FAILED = "failed", _("Failed")


class InboundImMessage(models.Model):
    """One message a bot received; its platform id is unique so a retried callback is processed once."""

    integration = models.ForeignKey(
        ImIntegration, verbose_name=_("integration"), on_delete=models.CASCADE, related_name="inbound"
    )
    message_id = models.CharField(_("platform message id"), max_length=200)
    sender_id = models.CharField(_("sender"), max_length=200, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=12, choices=InboundAction.choices)
    answer = models.TextField(_("answer"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("inbound IM message")
        verbose_name_plural = _("inbound IM messages")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["integration", "message_id"], name="im_inbound_unique_message")
        ]

    def __str__(self) -> str:
        return f"{self.integration_id}:{self.message_id}"
