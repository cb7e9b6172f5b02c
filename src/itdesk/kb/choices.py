"""Article choice sets, each with its translated label in one place."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from itdesk.kb.workflow import ArticleStatus as WorkflowStatus


class ArticleStatus(models.TextChoices):
    DRAFT = WorkflowStatus.DRAFT.value, _("Draft")
    IN_REVIEW = WorkflowStatus.IN_REVIEW.value, _("In review")
    PUBLISHED = WorkflowStatus.PUBLISHED.value, _("Published")
    ARCHIVED = WorkflowStatus.ARCHIVED.value, _("Archived")


class ArticleType(models.TextChoices):
    FAQ = "faq", _("FAQ")
    HOW_TO = "how_to", _("How-to")
    KNOWN_ERROR = "known_error", _("Known error with workaround")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public — everyone, in the portal")
    INTERNAL = "internal", _("Internal — the service desk only")
    GROUP = "group", _("One support group only")


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", _("Chinese")
    EN = "en", _("English")
    BOTH = "both", _("Chinese and English")


class LinkKind(models.TextChoices):
    SOURCE = "source", _("Written from this ticket")
    SOLVED = "solved", _("Solved this ticket")


ARTICLE_ACTION_LABELS = {
    "submit": _("Submit for review"),
    "publish": _("Publish"),
    "return": _("Return to draft"),
    "archive": _("Archive"),
    "restore": _("Restore as draft"),
}

STATUS_COLOURS = {
    "draft": "grey",
    "in_review": "amber",
    "published": "green",
    "archived": "grey",
}
