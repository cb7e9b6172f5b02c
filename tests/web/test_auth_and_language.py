"""Signing in and out, who lands where, and the language switch."""

import re

import pytest
from django.urls import reverse

from tests.factories import PASSWORD


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.content.decode())
    assert match, "the page has no <html lang>"
    return match.group(1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name,args",
    [
        ("web:home", []),
        ("web:portal", []),
        ("web:portal-new", []),
        ("web:portal-ticket", ["IT20250101001"]),
        ("web:desk", []),
        ("web:desk-new", []),
        ("web:desk-ticket", ["IT20250101001"]),
        ("web:attachment", ["IT20250101001", 1]),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, name, args):
    url = reverse(name, args=args)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('web:login')}?next={url}"


@pytest.mark.django_db
def test_sign_in_page_has_the_product_name_and_a_language_switch(client):
    response = client.get(reverse("web:login"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "ITDesk" in page
    assert 'name="language" value="zh-hans"' in page and 'name="language" value="en"' in page
    assert "csrfmiddlewaretoken" in page


@pytest.mark.django_db
def test_agent_signs_in_and_lands_on_the_desk(client, agent1):
    response = client.post(reverse("web:login"), {"username": "agent1", "password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("web:desk")
    assert "Queues" in response.content.decode()


@pytest.mark.django_db
def test_requester_signs_in_and_lands_on_the_portal(client, alice):
    response = client.post(reverse("web:login"), {"username": "alice", "password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("web:portal")
    assert "Alice Wang" in response.content.decode()


@pytest.mark.django_db
def test_wrong_password_is_refused_with_a_message(client, alice):
    response = client.post(reverse("web:login"), {"username": "alice", "password": "nope"})

    assert response.status_code == 200
    assert "alert-error" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_sign_out_is_a_post_that_ends_the_session(client_for, alice):
    client = client_for(alice)
    page = client.get(reverse("web:portal")).content.decode()
    assert f'action="{reverse("web:logout")}"' in page

    response = client.post(reverse("web:logout"))

    assert response.status_code == 302 and response["Location"] == reverse("web:login")
    assert client.get(reverse("web:portal")).status_code == 302


@pytest.mark.django_db
def test_navigation_follows_the_role(client_for, alice, agent1, auditor):
    requester_page = client_for(alice).get(reverse("web:portal")).content.decode()
    agent_page = client_for(agent1).get(reverse("web:desk")).content.decode()
    auditor_page = client_for(auditor).get(reverse("web:desk")).content.decode()

    assert reverse("web:desk") not in requester_page
    assert reverse("web:desk-new") in agent_page
    assert reverse("web:desk") in auditor_page and reverse("web:desk-new") not in auditor_page
    assert reverse("admin:index") not in agent_page


@pytest.mark.django_db
def test_staff_see_the_administration_link(client_for, agent1):
    agent1.is_staff = True
    agent1.save()

    page = client_for(agent1).get(reverse("web:desk")).content.decode()

    assert reverse("admin:index") in page


@pytest.mark.django_db
def test_requesters_cannot_open_the_desk(client_for, alice):
    client = client_for(alice)

    response = client.get(reverse("web:desk"))

    assert response.status_code == 403
    assert "This page is not for you" in response.content.decode()
    assert client.get(reverse("web:desk-new")).status_code == 403


@pytest.mark.django_db
def test_language_switch_changes_the_page_language(client_for, alice):
    client = client_for(alice)
    assert html_lang(client.get(reverse("web:portal"))) == "en"

    response = client.post(
        reverse("set_language"), {"language": "zh-hans", "next": reverse("web:portal")}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("web:portal")
    assert html_lang(response) == "zh-hans"
    assert 'aria-pressed="true" class="active">简体中文' in response.content.decode()

    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("web:portal")}, follow=True
    )

    assert html_lang(response) == "en"


@pytest.mark.django_db
def test_language_switch_needs_the_csrf_token(alice):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/portal/"})

    assert response.status_code == 403


@pytest.mark.django_db
def test_page_forms_are_refused_without_the_csrf_token(alice, service_desk):
    from django.test import Client

    from itdesk.tickets.models import Ticket

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    page = client.get(reverse("web:portal-new")).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page

    response = client.post(
        reverse("web:portal-new"), {"title": "x", "description": "y", "impact": "3", "urgency": "2"}
    )

    assert response.status_code == 403
    assert not Ticket.objects.exists()
