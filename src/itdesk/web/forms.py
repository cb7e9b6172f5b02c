"""Forms for the portal and the desk: they parse and check input; the services decide."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from itdesk.accounts.choices import Role
from itdesk.accounts.models import SupportGroup, User
from itdesk.core.errors import ServiceError, ValidationFailed
from itdesk.sla.selectors import order_by_time_to_breach
from itdesk.tickets.choices import Channel, Impact, Status, Urgency
from itdesk.tickets.models import Category, Priority

# Text fields a person fills in when they register a request (the seeds' registration form).
DETAIL_FIELDS = (
    "started_at",
    "impact_scope",
    "tried",
    "device_model",
    "os_version",
    "software_version",
    "contact_phone",
)


def agents() -> QuerySet[User]:
    """Active people who may be assigned a ticket."""
    roles = [Role.AGENT, Role.LEAD, Role.ADMIN]
    return User.objects.filter(is_active=True).filter(Q(role__in=roles) | Q(is_superuser=True))


def person_label(user: User) -> str:
    """A user as a choice label: the name people know, with the username to tell namesakes apart."""
    return f"{user.name} ({user.username})" if user.name != user.username else user.username


class AgentChoiceField(forms.ModelChoiceField):
    """An active agent, labelled with name and username."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", agents().order_by("display_name", "username"))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        return person_label(obj)


class CategoryField(forms.ChoiceField):
    """An active category chosen from the tree, labelled in the active language."""

    def __init__(self, *, key: str = "pk", **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(choices=(), **kwargs)
        self.key = key
        self.by_key: dict[str, Category] = {}

    def load(self, empty_label: Any = "—") -> None:
        """Read the active categories (one query) and build the indented tree of choices."""
        categories = list(Category.objects.filter(is_active=True).order_by("position", "code"))
        known = {c.pk for c in categories}
        children: dict[int | None, list[Category]] = defaultdict(list)
        for category in categories:
            children[category.parent_id if category.parent_id in known else None].append(category)
        choices: list[tuple[str, str]] = [("", str(empty_label))]

        def walk(parent: int | None, path: str) -> None:
            for category in children[parent]:
                value = str(getattr(category, self.key))
                self.by_key[value] = category
                # The full path reads the same in the open list and the closed select.
                label = f"{path} › {category.label}" if path else category.label
                choices.append((value, label))
                walk(category.pk, label)

        walk(None, "")
        self.choices = choices

    def clean(self, value: Any) -> Category | None:
        value = super().clean(value)
        return self.by_key.get(str(value)) if value else None


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; the services check type and size."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Attachments"))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items if item]


def _text(
    label: Any, *, max_length: int, required: bool = False, rows: int = 0, **kw: Any
) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(label=label, max_length=max_length, required=required, widget=widget, **kw)


class ServiceErrorMixin:
    """Show a ServiceError on the form: its message on top, its field errors next to the fields."""

    # Service field names or error codes that belong to a differently named form field.
    service_fields: dict[str, str] = {"file": "attachments"}

    def add_service_error(self, exc: ServiceError) -> None:
        """Attach `exc` to this form so the page can show it."""
        form: forms.Form = self  # type: ignore[assignment]
        shown: set[str] = set()
        fields = exc.fields if isinstance(exc, ValidationFailed) else {}
        for name, messages in fields.items():
            target = self.service_fields.get(name, name)
            if target in form.fields:
                for message in messages:
                    form.add_error(target, str(message))
                    shown.add(str(message))
        target = self.service_fields.get(exc.code)
        if target in form.fields and not shown:
            form.add_error(target, str(exc.message))
            shown.add(str(exc.message))
        if str(exc.message) not in shown:
            form.add_error(None, str(exc.message))


class RequestDetailsForm(ServiceErrorMixin, forms.Form):
    """What a person fills in for a new request (portal) — the desk form extends it."""

    title = _text(
        _("Title"), max_length=200, required=True, help_text=_("One line: what is wrong or needed.")
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What happened, any error message, and what you expected."),
    )
    category = CategoryField(label=_("Category"))
    impact = forms.TypedChoiceField(label=_("Impact"), choices=Impact.choices, coerce=int, initial=Impact.LOW)
    urgency = forms.TypedChoiceField(
        label=_("Urgency"), choices=Urgency.choices, coerce=int, initial=Urgency.MEDIUM
    )
    started_at = forms.DateTimeField(
        label=_("When did it start?"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    impact_scope = _text(_("Who or what is affected?"), max_length=300)
    tried = _text(_("What have you already tried?"), max_length=4000, rows=3)
    device_model = _text(_("Device model"), max_length=120)
    os_version = _text(_("Operating system and version"), max_length=120)
    software_version = _text(_("Software and version"), max_length=120)
    contact_phone = _text(_("Contact phone"), max_length=40)
    attachments = MultipleFileField(help_text=_("Screenshots, logs or documents."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].load(_("Choose a category"))  # type: ignore[attr-defined]

    def ticket_fields(self) -> dict[str, Any]:
        """The cleaned values for create_ticket, leaving out what was not filled in (services default it)."""
        names = ("category", "impact", "urgency", *DETAIL_FIELDS)
        return {
            name: self.cleaned_data[name] for name in names if self.cleaned_data.get(name) not in ("", None)
        }


class RegisterForm(RequestDetailsForm):
    """The desk registers a request on someone's behalf (phone, walk-in, e-mail)."""

    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(c.value, c.label) for c in (Channel.PHONE, Channel.WALK_IN, Channel.EMAIL)],
        initial=Channel.PHONE,
    )
    requester = forms.CharField(
        label=_("Requester"),
        max_length=150,
        help_text=_("Username or employee ID of the person who needs help."),
    )
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    priority = forms.ModelChoiceField(
        label=_("Priority"),
        queryset=Priority.objects.order_by("rank"),
        required=False,
        empty_label=_("From impact and urgency"),
    )
    group = forms.ModelChoiceField(
        label=_("Group"),
        queryset=SupportGroup.objects.order_by("name"),
        required=False,
        empty_label=_("First line (default)"),
    )
    assignee = AgentChoiceField(label=_("Assignee"), empty_label=_("Nobody yet"))

    field_order = [
        "channel",
        "requester",
        "title",
        "description",
        "category",
        "impact",
        "urgency",
        "priority",
    ]

    def clean_requester(self) -> User:
        value = self.cleaned_data["requester"].strip()
        person = (
            User.objects.filter(is_active=True).filter(Q(username=value) | Q(employee_id=value)).first()
            if value
            else None
        )
        if person is None:
            raise forms.ValidationError(_("No active user has this username or employee ID."))
        return person

    def ticket_fields(self) -> dict[str, Any]:
        """The cleaned values for create_ticket, with the desk-only fields."""
        values = super().ticket_fields()
        for name in ("contact_email", "priority", "group", "assignee"):
            if self.cleaned_data.get(name) not in ("", None):
                values[name] = self.cleaned_data[name]
        return values


class ReplyForm(ServiceErrorMixin, forms.Form):
    """A reply (or, for the desk, an internal note) with files."""

    body = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    internal = forms.BooleanField(label=_("Internal note"), required=False)
    attachments = MultipleFileField()
    service_fields = {"file": "attachments"}


class TicketEditForm(ServiceErrorMixin, forms.Form):
    """The desk's fields of a ticket, saved against the version that was read."""

    priority = forms.ModelChoiceField(
        label=_("Priority"), queryset=Priority.objects.order_by("rank"), empty_label=None
    )
    priority_reason = _text(
        _("Reason for a priority change"),
        max_length=500,
        help_text=_("Required when you change the priority; the requester sees it."),
    )
    category = CategoryField(label=_("Category"))
    impact = forms.TypedChoiceField(label=_("Impact"), choices=Impact.choices, coerce=int)
    urgency = forms.TypedChoiceField(label=_("Urgency"), choices=Urgency.choices, coerce=int)
    group = forms.ModelChoiceField(
        label=_("Group"),
        queryset=SupportGroup.objects.order_by("name"),
        required=False,
        empty_label=_("None"),
    )
    assignee = AgentChoiceField(label=_("Assignee"), empty_label=_("Nobody"))
    version = forms.IntegerField(widget=forms.HiddenInput)
    service_fields = {"reason_required": "priority_reason"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].load()  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, ticket: Any) -> dict[str, Any]:
        """The form's starting values from a ticket."""
        return {
            "priority": ticket.priority_id,
            "category": ticket.category_id,
            "impact": ticket.impact,
            "urgency": ticket.urgency,
            "group": ticket.group_id,
            "assignee": ticket.assignee_id,
            "version": ticket.version,
        }

    def changes(self) -> dict[str, Any]:
        """The values for update_ticket (the service ignores the unchanged ones)."""
        names = ("priority", "category", "impact", "urgency", "group", "assignee")
        return {name: self.cleaned_data[name] for name in names}


class TransitionForm(ServiceErrorMixin, forms.Form):
    """One move along the process, with whatever that move needs."""

    to = forms.ChoiceField(choices=Status.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=4000, widget=forms.Textarea)
    resolution = forms.CharField(
        label=_("Resolution summary"), required=False, max_length=4000, widget=forms.Textarea
    )
    group = forms.ModelChoiceField(
        label=_("Group"),
        queryset=SupportGroup.objects.order_by("name"),
        required=False,
        empty_label=_("Choose a group"),
    )
    assignee = AgentChoiceField(label=_("Assignee"), empty_label=_("Anyone in the group"))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    service_fields = {"reason_required": "note", "note_required": "note"}

    def service_arguments(self) -> dict[str, Any]:
        """Keyword arguments for transition_ticket."""
        data = self.cleaned_data
        return {
            "to": data["to"],
            "note": data.get("note") or "",
            "resolution": data.get("resolution") or "",
            "group": data.get("group"),
            "assignee": data.get("assignee"),
            "expected_version": data.get("version"),
        }


class AssignToMeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


SORTS = {
    # Time to breach: the nearest due time of a counting SLA clock, overdue first (sla.selectors).
    "breach": (),
    "-breach": (),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "priority": ("priority__rank", "-created_at"),
    "-priority": ("-priority__rank", "-created_at"),
}
UNASSIGNED = "-"


class QueueFilterForm(forms.Form):
    """The queue's filters and sort order, read from the query string."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False)
    priority = forms.ModelChoiceField(
        label=_("Priority"),
        queryset=Priority.objects.order_by("rank"),
        to_field_name="code",
        required=False,
        empty_label=_("Any priority"),
    )
    category = CategoryField(label=_("Category"), key="code")
    group = forms.ModelChoiceField(
        label=_("Group"),
        queryset=SupportGroup.objects.order_by("name"),
        to_field_name="code",
        required=False,
        empty_label=_("Any group"),
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=[(key, key) for key in SORTS])

    def __init__(self, *args: Any, default_sort: str = "-created", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_sort = default_sort if default_sort in SORTS else "-created"
        self.fields["status"].choices = [("", _("Any status")), *Status.choices]
        self.fields["category"].load(_("Any category"))  # type: ignore[attr-defined]
        people = agents().order_by("display_name", "username")
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            (UNASSIGNED, _("Unassigned")),
            *((user.username, person_label(user)) for user in people),
        ]

    def apply(self, tickets: QuerySet[Any]) -> QuerySet[Any]:
        """Narrow and order `tickets` by the valid filters (invalid ones are ignored)."""
        self.is_valid()
        data = self.cleaned_data
        if data.get("q"):
            text = data["q"].strip()
            tickets = tickets.filter(Q(number__iexact=text) | Q(title__icontains=text))
        if data.get("status"):
            tickets = tickets.filter(status=data["status"])
        if data.get("priority"):
            tickets = tickets.filter(priority=data["priority"])
        if data.get("category"):
            # A parent category also finds the requests filed under its sub-categories.
            category = data["category"]
            tickets = tickets.filter(Q(category=category) | Q(category__parent=category))
        if data.get("group"):
            tickets = tickets.filter(group=data["group"])
        if data.get("assignee") == UNASSIGNED:
            tickets = tickets.filter(assignee__isnull=True)
        elif data.get("assignee"):
            tickets = tickets.filter(assignee__username=data["assignee"])
        key = self.sort_key
        if key in ("breach", "-breach"):
            return order_by_time_to_breach(tickets, descending=key == "-breach")
        return tickets.order_by(*SORTS[key])

    @property
    def sort_key(self) -> str:
        """The chosen sort, or the queue's default."""
        value = getattr(self, "cleaned_data", {}).get("sort")
        return value if value in SORTS else self.default_sort

    @property
    def is_filtered(self) -> bool:
        """Whether any filter narrows the list."""
        names = ("q", "status", "priority", "category", "group", "assignee")
        return any(getattr(self, "cleaned_data", {}).get(name) for name in names)
