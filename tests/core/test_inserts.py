"""core.inserts: a precompiled INSERT stores exactly what save() stores, and steps aside when it cannot."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from itdesk.core import inserts
from itdesk.sla.models import TicketClock
from itdesk.tickets.choices import EventKind
from itdesk.tickets.models import Priority, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def _ticket(alice, number, **extra):
    now = timezone.now()
    return Ticket(
        number=number,
        title="打印机卡纸",
        description="Tray 2 jams on every page.",
        requester=alice,
        priority=Priority.objects.get(code="P3"),
        created_at=now,
        updated_at=now,
        sla_next_due=now + timedelta(hours=4),
        **extra,
    )


def _stored(model, pk, *, leave_out=("id",)):
    row = model.objects.filter(pk=pk).values().get()
    return {name: value for name, value in row.items() if name not in leave_out}


def test_the_row_is_the_one_save_would_write(alice):
    by_orm = _ticket(alice, "IT20260101001", impact_scope="整个三楼")
    by_orm.save(force_insert=True)
    fast = _ticket(alice, "IT20260101002", impact_scope="整个三楼")
    fast.created_at = fast.updated_at = by_orm.created_at
    fast.sla_next_due = by_orm.sla_next_due

    with CaptureQueriesContext(connection) as queries:
        inserts.insert(fast)

    assert len(queries) == 1 and queries[0]["sql"].startswith("INSERT INTO")
    assert fast.pk is not None and fast.pk != by_orm.pk
    assert not fast._state.adding and fast._state.db == "default"
    leave_out = ("id", "number")
    assert _stored(Ticket, fast.pk, leave_out=leave_out) == _stored(Ticket, by_orm.pk, leave_out=leave_out)
    fast.refresh_from_db()
    assert fast.number == "IT20260101002" and fast.version == 1


def test_json_and_duration_columns_and_a_related_object_saved_just_before(alice):
    ticket = _ticket(alice, "IT20260101003")
    now = timezone.now()
    clock = TicketClock(
        ticket=ticket,  # not saved yet: its id is taken when the clock is inserted, as save() does
        kind="response",
        target_amount=30,
        target_unit="minutes",
        target=timedelta(minutes=30),
        started_at=now,
        due_at=now + timedelta(minutes=30),
        warn_at=now + timedelta(minutes=24),
        elapsed=timedelta(0),
        segments=[[now.isoformat(), 1]],
        pauses=[[now.isoformat(), None, "waiting"]],
    )
    inserts.insert(ticket)
    inserts.insert_all([clock])

    stored = TicketClock.objects.get(pk=clock.pk)
    assert stored.ticket_id == ticket.pk
    assert stored.target == timedelta(minutes=30) and stored.elapsed == timedelta(0)
    assert stored.segments == [[now.isoformat(), 1]] and stored.pauses == [[now.isoformat(), None, "waiting"]]
    assert stored.due_at == now + timedelta(minutes=30)


def test_several_rows_go_in_one_statement_and_each_gets_its_own_key(alice):
    tickets = [_ticket(alice, f"IT2026010102{index}") for index in range(3)]
    with CaptureQueriesContext(connection) as queries:
        inserts.insert_all(tickets)
    assert len(queries) == (1 if connection.features.can_return_rows_from_bulk_insert else 3)
    assert len({ticket.pk for ticket in tickets}) == 3
    for ticket in tickets:
        assert Ticket.objects.get(pk=ticket.pk).number == ticket.number
        assert not ticket._state.adding


def test_an_unsaved_related_object_is_refused_like_save(alice):
    event = TicketEvent(ticket=_ticket(alice, "IT20260101004"), actor=alice, kind=EventKind.CREATED)
    with pytest.raises(ValueError, match="unsaved related object"):
        inserts.insert(event)


def test_a_failed_insert_marks_the_transaction_for_rollback(alice):
    inserts.insert(_ticket(alice, "IT20260101005"))
    with transaction.atomic():
        inserts.insert(_ticket(alice, "IT20260101015"))
        with pytest.raises(IntegrityError):
            inserts.insert(_ticket(alice, "IT20260101005"))  # the number is unique
        assert transaction.get_rollback()  # as after save(): the block rolls back on the way out
    assert list(
        Ticket.objects.filter(number__startswith="IT2026010100").values_list("number", flat=True)
    ) == ["IT20260101005"]
    assert not Ticket.objects.filter(number="IT20260101015").exists()


def test_a_model_with_save_receivers_goes_through_save(alice):
    seen = []

    def receiver(sender, instance, created, **kwargs):
        seen.append((instance.number, created))

    post_save.connect(receiver, sender=Ticket)
    try:
        ticket = inserts.insert(_ticket(alice, "IT20260101006"))
    finally:
        post_save.disconnect(receiver, sender=Ticket)
    assert seen == [("IT20260101006", True)]
    assert Ticket.objects.filter(pk=ticket.pk).exists()


def test_an_event_is_still_append_only(alice):
    ticket = inserts.insert(_ticket(alice, "IT20260101007"))
    event = inserts.insert(TicketEvent(ticket=ticket, actor=alice, kind=EventKind.CREATED, new_value="new"))
    assert TicketEvent.objects.get(pk=event.pk).new_value == "new"
    event.note = "changed afterwards"
    with pytest.raises(Exception, match="cannot be changed"):
        event.save()


def _comparable(values):
    """psycopg's JSON wrappers do not compare equal: compare what they wrap."""
    return [(type(v).__name__, v.obj) if type(v).__name__ in ("Json", "Jsonb") else v for v in values]


def test_each_parameter_is_the_one_the_orm_prepares_whatever_the_value_type(alice):
    from zoneinfo import ZoneInfo

    from django.utils.translation import gettext_lazy

    from itdesk.notifications.models import OutboxMessage

    shanghai = timezone.now().astimezone(ZoneInfo("Asia/Shanghai"))
    on_the_second = timezone.now().replace(microsecond=0)
    ticket = _ticket(alice, "IT20260101009", impact="3", tried=gettext_lazy("Restarted"), started_at=shanghai)
    ticket.created_at = on_the_second
    ticket.save(force_insert=True)
    event = TicketEvent(ticket=ticket, actor=None, kind=EventKind.CREATED, public=1, created_at=shanghai)
    message = OutboxMessage(
        dedupe_key="k", recipient="a@example.test", subject="S", template="received", ticket_id=str(ticket.pk)
    )
    for obj in (_ticket(alice, "IT20260101010", started_at=shanghai), ticket, event, message):
        plan = inserts._plan_for(type(obj), "default")
        expected = [f.get_db_prep_save(f.pre_save(obj, add=True), connection=connection) for f in plan.fields]
        assert _comparable(inserts._values(obj, plan, connection)) == _comparable(expected)
    if connection.vendor == "sqlite":  # the shortcuts were taken where they are exact
        plan = inserts._plan_for(Ticket, "default")
        taken = {f.name for f, how in zip(plan.fields, plan.conversions, strict=True) if how}
        assert {"title", "requester", "impact", "created_at", "started_at"} <= taken
