"""The hand-written ticket representations give exactly what DRF's generic field walk gives.

The ticket serializers build their output by hand for speed; their declared fields stay the OpenAPI
contract. These tests render the same tickets both ways (the generic way by putting DRF's own
ModelSerializer.to_representation back) and require the same keys, in the declared order, and values.
"""

import contextlib
import datetime
from unittest import mock

import pytest
import time_machine
from django.utils import timezone, translation
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from itdesk.core.api import CachedFieldsModelSerializer
from itdesk.tickets import selectors, services
from itdesk.tickets.api import serializers as s
from itdesk.tickets.models import Category, Ticket

pytestmark = pytest.mark.django_db

HAND_WRITTEN = [
    s.TicketSerializer,
    s.TicketDetailSerializer,
    s.PriorityRefSerializer,
    s.CategoryRefSerializer,
    s.GroupRefSerializer,
    s.UserRefSerializer,
]
NOW = datetime.datetime(2025, 3, 4, 10, 30, 15, 250000, tzinfo=datetime.UTC)


@contextlib.contextmanager
def generic_drf():
    """DRF's generic representation: every hand-written to_representation replaced by the base one."""
    with contextlib.ExitStack() as stack:
        for cls in HAND_WRITTEN:
            stack.enter_context(
                mock.patch.object(cls, "to_representation", serializers.ModelSerializer.to_representation)
            )
        yield


def api_request(user):
    request = Request(APIRequestFactory().get("/api/v1/tickets/"))
    request.user = user
    return request


@pytest.fixture
def tickets(alice, bob, agent1, network_group, service_desk):
    """Tickets with and without category, group and assignee, and with set and empty timestamps."""
    with time_machine.travel(NOW - datetime.timedelta(hours=3), tick=False):
        plain = services.create_ticket(actor=alice, title="VPN 连接失败", description="Since 9am")
        detailed = services.create_ticket(
            actor=alice,
            title="Printer",
            description="Paper jam\non floor 3",
            category=Category.objects.get(code="network-vpn"),
            impact=1,
            urgency=1,
            contact_email="alice.home@example.test",
            started_at=datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.UTC),
            impact_scope="The whole sales team",
            tried="Restarted",
            device_model="ThinkPad X1",
            os_version="Windows 11",
            software_version="FortiClient 7.2",
        )
        on_behalf = services.create_ticket(
            actor=agent1, requester=bob, title="Phone", description="No dial tone", channel="phone"
        )
    with time_machine.travel(NOW - datetime.timedelta(hours=2), tick=False):
        services.transition_ticket(ticket=detailed, actor=agent1, to="acknowledged")
        services.transition_ticket(ticket=detailed, actor=agent1, to="diagnosing")
        services.transition_ticket(
            ticket=detailed, actor=agent1, to="escalated", group=network_group, note="network team"
        )
    with time_machine.travel(NOW - datetime.timedelta(hours=1), tick=False):
        services.transition_ticket(ticket=on_behalf, actor=agent1, to="acknowledged")
        services.transition_ticket(ticket=on_behalf, actor=agent1, to="diagnosing")
        services.transition_ticket(ticket=on_behalf, actor=agent1, to="resolved", resolution="Replugged")
    # No group at all, and timestamps with and without microseconds.
    Ticket.objects.filter(pk=plain.pk).update(
        group=None,
        acknowledged_at=datetime.datetime(2025, 3, 4, 8, 0, 0, 123456, tzinfo=datetime.UTC),
        closed_at=datetime.datetime(2025, 3, 4, 16, 0, tzinfo=datetime.UTC),  # the next day in Shanghai
    )
    return [plain.number, detailed.number, on_behalf.number]


def render(serializer_class, caller, numbers, *, many):
    """The hand-written and the generic rendering of the tickets as `caller` sees them."""
    rows = list(selectors.queue(caller, "all").filter(number__in=numbers).order_by("number"))
    assert len(rows) == len(numbers)
    outputs = []
    for generic in (False, True):
        with generic_drf() if generic else contextlib.nullcontext():
            context = {"request": api_request(caller)}
            if many:
                outputs.append(serializer_class(rows, many=True, context=context).data)
            else:
                outputs.append([serializer_class(row, context=context).data for row in rows])
    return outputs


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/New_York"])
@pytest.mark.parametrize("caller_name", ["agent1", "alice"])
@pytest.mark.parametrize(
    ("serializer_class", "many"),
    [(s.TicketSerializer, True), (s.TicketSerializer, False), (s.TicketDetailSerializer, False)],
)
def test_hand_written_equals_drf_generic(
    request, tickets, serializer_class, many, caller_name, zone, language
):
    caller = request.getfixturevalue(caller_name)
    numbers = tickets if caller_name == "agent1" else tickets[:2]  # alice sees only her own
    with translation.override(language), timezone.override(zone), time_machine.travel(NOW, tick=False):
        hand, generic = render(serializer_class, caller, numbers, many=many)

    declared = list(serializer_class().fields)
    for hand_row, generic_row in zip(hand, generic, strict=True):
        assert list(hand_row) == declared  # every declared field, in the declared order, and no other
        assert list(generic_row) == declared
        for name in declared:
            assert hand_row[name] == generic_row[name], name
            assert type(hand_row[name]) is type(generic_row[name]), name


def test_the_cases_cover_what_they_claim(tickets, agent1):
    """Guard the comparison above against comparing only empty values."""
    with translation.override("zh-hans"), time_machine.travel(NOW, tick=False):
        (rows, _generic) = render(s.TicketDetailSerializer, agent1, tickets, many=False)
    plain, detailed, on_behalf = rows
    assert plain["group"] is None and plain["category"] is None and plain["assignee"] is None
    assert plain["acknowledged_at"] == "2025-03-04T16:00:00.123456+08:00"
    assert plain["closed_at"] == "2025-03-05T00:00:00+08:00"
    assert plain["resolved_at"] is None
    assert detailed["category"] == {
        "code": "network-vpn",
        "label": Category.objects.get(code="network-vpn").name_zh,
    }
    assert detailed["group"]["code"] == "network" and detailed["escalated_at"]
    assert detailed["started_at"] == "2025-03-03T17:00:00+08:00"
    assert detailed["impact"] == 1 and detailed["status"] == "escalated"
    assert on_behalf["assignee"]["username"] == "agent1" and on_behalf["requester"]["username"] == "bob"
    assert on_behalf["channel"] == "phone" and on_behalf["resolved_at"]
    assert all(row["allowed_transitions"] for row in (plain, on_behalf))
    assert detailed["sla"] and on_behalf["sla"]


@pytest.mark.parametrize(
    "serializer_class",
    [s.PriorityRefSerializer, s.CategoryRefSerializer, s.GroupRefSerializer, s.UserRefSerializer],
)
def test_references_render_their_declared_fields(serializer_class, tickets, agent1):
    model = serializer_class.Meta.model
    instance = model.objects.first()
    hand = serializer_class(instance).data
    with generic_drf():
        generic = serializer_class(instance).data
    assert list(hand) == list(serializer_class().fields)
    assert hand == generic


@contextlib.contextmanager
def uncached_fields():
    """DRF's own field building: every serializer instance introspects the model afresh."""
    with (
        mock.patch.object(CachedFieldsModelSerializer, "get_fields", serializers.ModelSerializer.get_fields),
        mock.patch.object(
            CachedFieldsModelSerializer, "get_validators", serializers.ModelSerializer.get_validators
        ),
    ):
        yield


BODIES = [
    {"title": "VPN fails", "description": "Since 9am"},
    {
        "title": "VPN fails",
        "description": "Since 9am",
        "category": "network-vpn",
        "impact": "1",
        "urgency": 3,
        "priority": "P1",
        "group": "network",
        "assignee": "agent1",
        "requester": "bob",
        "channel": "phone",
        "started_at": "2025-03-03T09:00:00+08:00",
        "contact_email": "a@example.test",
    },
    {"title": "", "description": "x", "category": None, "group": None, "assignee": None},
    {
        "title": "x" * 201,
        "category": "no-such-code",
        "impact": 7,
        "priority": "P9",
        "group": "nope",
        "assignee": "nobody",
        "requester": "ghost",
        "channel": "carrier-pigeon",
        "started_at": "yesterday",
        "contact_email": "not-an-address",
    },
    ["not", "an", "object"],
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("serializer_class", [s.TicketCreateSerializer, s.TicketUpdateSerializer])
@pytest.mark.parametrize("body", BODIES)
def test_input_validation_is_unchanged_by_the_field_cache(
    serializer_class, body, language, agent1, bob, network_group
):
    results = []
    for cached in (True, False):
        with translation.override(language), contextlib.nullcontext() if cached else uncached_fields():
            # Twice each, so that a second instance built from the cached fields is checked too.
            for _ in range(2):
                serializer = serializer_class(data=body, partial=serializer_class is s.TicketUpdateSerializer)
                valid = serializer.is_valid()
                results.append((valid, dict(serializer.errors), dict(serializer.validated_data)))
    assert all(result == results[0] for result in results), results
    if isinstance(body, dict) and len(body) > 3:
        assert results[0][0] is (body["title"] == "VPN fails"), results[0][1]


def test_each_serializer_binds_its_own_fields(agent1):
    first, second = s.TicketCreateSerializer(data={}), s.TicketCreateSerializer(data={})
    for name, field in first.fields.items():
        assert field is not second.fields[name]
        assert field.parent is first and second.fields[name].parent is second
    assert first.fields["category"].label == second.fields["category"].label
