"""The incoming generic webhook: monitoring systems open tickets with a token, once per external id."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from itdesk.channels.webhooks import inbound
from itdesk.channels.webhooks.models import ExternalReference, InboundSource
from itdesk.tickets import services as tickets
from itdesk.tickets.models import Comment, Ticket

pytestmark = pytest.mark.django_db

URL = "/channels/webhooks/inbound/zabbix/"


@pytest.fixture
def monitoring_account(service_desk):
    from tests.factories import UserFactory, member

    return member(UserFactory(username="monitoring", display_name="Monitoring", role="agent"), service_desk)


@pytest.fixture
def source(monitoring_account):
    source = InboundSource(slug="zabbix", name="Zabbix", requester=monitoring_account, impact=2, urgency=2)
    token = inbound.set_new_token(source=source)
    source.save()
    source.token = token
    return source


def post(token, payload, *, header="bearer", url=URL, raw=None, client=None):
    headers = (
        {"HTTP_AUTHORIZATION": f"Bearer {token}"} if header == "bearer" else {"HTTP_X_ITDESK_TOKEN": token}
    )
    body = raw if raw is not None else json.dumps(payload)
    return (client or Client()).post(url, data=body, content_type="application/json", **headers)


ALERT = {
    "external_id": "zbx-4711",
    "title": "Disk full on db01",
    "description": "/var at 98%",
    "impact": 1,
    "urgency": "high",
}


def test_the_first_alert_opens_a_ticket(source):
    response = post(source.token, ALERT)
    assert response.status_code == 201
    body = response.json()
    assert body["created"] is True
    ticket = Ticket.objects.get(number=body["ticket"])
    assert ticket.title == "Disk full on db01" and ticket.description == "/var at 98%"
    assert ticket.channel == "api" and ticket.requester == source.requester
    assert ticket.priority.code == "P1"  # impact 1 x urgency high
    assert body["url"].endswith(f"/desk/{ticket.number}/")


def test_a_repeat_answers_with_the_same_ticket_and_opens_none(source):
    first = post(source.token, ALERT).json()
    second = post(source.token, ALERT, header="x-itdesk-token")
    assert second.status_code == 200
    assert second.json() == {**first, "created": False}
    assert Ticket.objects.count() == 1
    reference = ExternalReference.objects.get()
    assert reference.repeat_count == 1
    assert not Comment.objects.exists()  # a plain repeat adds nothing to the timeline


def test_resolved_and_firing_again_become_internal_notes(source):
    number = post(source.token, ALERT).json()["ticket"]
    assert post(source.token, {**ALERT, "status": "resolved"}).status_code == 200
    assert post(source.token, {**ALERT, "status": "resolved"}).status_code == 200
    assert post(source.token, ALERT).status_code == 200
    notes = list(Comment.objects.filter(ticket__number=number).values_list("body", "internal"))
    assert [internal for _body, internal in notes] == [True, True]
    assert "resolved" in notes[0][0] and "firing again" in notes[1][0]


def test_an_alert_firing_after_its_ticket_closed_opens_a_new_ticket(source, agent1):
    first = post(source.token, ALERT).json()["ticket"]
    tickets.transition_ticket(
        ticket=Ticket.objects.get(number=first), actor=agent1, to="cancelled", note="dup"
    )
    again = post(source.token, ALERT)
    assert again.status_code == 201 and again.json()["ticket"] != first
    assert ExternalReference.objects.get().ticket.number == again.json()["ticket"]


def test_a_recovery_for_an_unknown_alert_opens_nothing(source):
    response = post(source.token, {"external_id": "never-seen", "status": "resolved"})
    assert response.status_code == 200
    assert response.json() == {"ticket": None, "created": False, "url": None}
    assert not Ticket.objects.exists()


def test_defaults_come_from_the_source(source):
    number = post(source.token, {"external_id": 42}).json()["ticket"]
    ticket = Ticket.objects.get(number=number)
    assert ticket.title == "Alert 42" and (ticket.impact, ticket.urgency) == (2, 2)


@pytest.mark.parametrize(
    "token, header",
    [("wrong", "bearer"), ("", "bearer"), ("wrong", "x-itdesk-token")],
)
def test_a_bad_token_is_refused(source, token, header):
    response = post(token, ALERT, header=header)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"
    assert not Ticket.objects.exists()


def test_unknown_or_inactive_sources_answer_like_a_bad_token(source):
    assert post(source.token, ALERT, url="/channels/webhooks/inbound/nagios/").status_code == 401
    InboundSource.objects.update(active=False)
    assert post(source.token, ALERT).status_code == 401


def test_invalid_json_is_refused_with_its_code(source):
    response = post(source.token, None, raw="{not json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_json"
    assert "message" in response.json()


def test_invalid_fields_are_listed(source):
    response = post(source.token, {"title": "no id", "impact": 7, "status": "exploded"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_failed"
    assert set(body["fields"]) == {"external_id", "impact", "status"}
    assert post(source.token, ["a", "list"]).json()["code"] == "validation_failed"


def test_an_oversized_body_is_refused(source, settings):
    settings.ITDESK_INBOUND_WEBHOOK_MAX_BYTES = 1024
    response = post(source.token, {**ALERT, "description": "x" * 2000})
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert not Ticket.objects.exists()


def test_only_post_is_accepted(source):
    assert Client().get(URL).status_code == 405


def test_csrf_is_not_required(source):
    response = post(source.token, ALERT, client=Client(enforce_csrf_checks=True))
    assert response.status_code == 201


def test_the_per_source_rate_limit(source, settings):
    from django.core.cache import cache

    cache.clear()
    settings.ITDESK_INBOUND_WEBHOOK_RATE = 2
    codes = [post(source.token, {"external_id": f"a{i}"}).status_code for i in range(3)]
    assert codes == [201, 201, 429]
    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_of_one_alert_open_one_ticket(source):
    barrier = threading.Barrier(4)
    results = []

    def fire():
        try:
            barrier.wait()
            response = post(source.token, ALERT)
            results.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=fire) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert Ticket.objects.count() == 1
    assert sorted(code for code, _body in results) == [200, 200, 200, 201]
    assert {body["ticket"] for _code, body in results} == {Ticket.objects.get().number}


def test_a_source_filing_as_a_requester_reports_recoveries_as_replies(alice, service_desk):
    source = InboundSource(slug="zabbix", name="Zabbix", requester=alice)
    token = inbound.set_new_token(source=source)
    source.save()
    number = post(token, ALERT).json()["ticket"]
    post(token, {**ALERT, "status": "resolved"})
    comment = Comment.objects.get(ticket__number=number)
    assert comment.internal is False and comment.author == alice
