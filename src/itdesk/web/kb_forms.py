"""Forms of the knowledge base pages: they parse and check input; the kb services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from itdesk.accounts.models import SupportGroup
from itdesk.kb.choices import ArticleStatus, ArticleType, Language, Visibility
from itdesk.kb.models import Article
from itdesk.web.forms import AgentChoiceField, CategoryField, ServiceErrorMixin


class ArticleForm(ServiceErrorMixin, forms.Form):
    """Write or edit an article; saved against the version that was read."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 16, "class": "mono"}),
        help_text=_("Markdown: ## headings, 1. numbered steps, **bold**, [links](https://…)."),
    )
    keywords = forms.CharField(
        label=_("Keywords"),
        required=False,
        max_length=600,
        help_text=_("Comma-separated words people type when they have this problem."),
    )
    article_type = forms.ChoiceField(label=_("Type"), choices=ArticleType.choices)
    category = CategoryField(label=_("Category"))
    visibility = forms.ChoiceField(label=_("Who may read it"), choices=Visibility.choices)
    group = forms.ModelChoiceField(
        label=_("Group"), queryset=SupportGroup.objects.order_by("name"), required=False
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    owner = AgentChoiceField(label=_("Owner"))
    review_date = forms.DateField(
        label=_("Review by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("What changed"), required=False, max_length=300)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    service_fields = {"article_type": "article_type"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].load()  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(article: Article) -> dict[str, Any]:
        """The form's starting values for editing `article`."""
        return {
            "title": article.title,
            "body": article.body,
            "keywords": ", ".join(article.keywords),
            "article_type": article.article_type,
            "category": article.category_id or "",
            "visibility": article.visibility,
            "group": article.group_id,
            "language": article.language,
            "owner": article.owner_id,
            "review_date": article.review_date,
            "version": article.version,
        }

    def changes(self) -> dict[str, Any]:
        """The values as the services name them."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "body": data["body"],
            "keywords": data["keywords"],
            "article_type": data["article_type"],
            "category": data["category"],
            "visibility": data["visibility"],
            "group": data["group"],
            "language": data["language"],
            "owner": data["owner"],
            "review_date": data["review_date"],
        }


class ArticleMoveForm(forms.Form):
    to = forms.ChoiceField(choices=ArticleStatus.choices)


class FeedbackForm(ServiceErrorMixin, forms.Form):
    """ "This did not help": what was missing."""

    comment = forms.CharField(
        label=_("What was missing or wrong?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class KbFilterForm(forms.Form):
    """The desk's article list: search words and filters."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False)
    article_type = forms.ChoiceField(label=_("Type"), required=False)
    visibility = forms.ChoiceField(label=_("Visibility"), required=False)
    category = CategoryField(label=_("Category"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["status"].choices = everything + list(ArticleStatus.choices)  # type: ignore[attr-defined]
        self.fields["article_type"].choices = everything + list(ArticleType.choices)  # type: ignore[attr-defined]
        self.fields["visibility"].choices = everything + list(Visibility.choices)  # type: ignore[attr-defined]
        self.fields["category"].load(empty_label=_("All"))  # type: ignore[attr-defined]
