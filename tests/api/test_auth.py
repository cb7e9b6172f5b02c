"""Signing in to the API: tokens, and CSRF for browser sessions."""

import pytest
from rest_framework.test import APIClient

from tests.factories import PASSWORD, UserFactory

from .helpers import TICKETS

TOKEN = "/api/v1/auth/token/"


@pytest.mark.django_db
def test_a_token_from_username_and_password_opens_the_api(alice):
    client = APIClient()
    response = client.post(TOKEN, {"username": "alice", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(TICKETS).status_code == 200
    # Asking again gives the same token, so several scripts of one user do not log each other out.
    again = APIClient().post(TOKEN, {"username": "alice", "password": PASSWORD}, format="json")
    assert again.json()["token"] == token


@pytest.mark.django_db
@pytest.mark.parametrize("username,password", [("alice", "wrong-password"), ("nobody", PASSWORD)])
def test_bad_credentials_are_refused_with_a_code(alice, username, password):
    response = APIClient().post(TOKEN, {"username": username, "password": password}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert "token" not in response.json()


@pytest.mark.django_db
def test_an_inactive_user_gets_no_token():
    UserFactory(username="gone", is_active=False)
    response = APIClient().post(TOKEN, {"username": "gone", "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


@pytest.mark.django_db
def test_missing_credentials_are_invalid_input():
    response = APIClient().post(TOKEN, {"username": "alice"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "password" in response.json()["fields"]


@pytest.mark.django_db
def test_without_credentials_the_api_answers_401_with_a_code():
    response = APIClient().get(TICKETS)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = bad.get(TICKETS)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


@pytest.mark.django_db
def test_session_writes_need_the_csrf_token(alice):
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username="alice", password=PASSWORD)
    # Reading with the browser session works...
    assert client.get(TICKETS).status_code == 200
    # ...but a write without the CSRF token is refused, so another site cannot post in alice's name.
    response = client.post(TICKETS, {"title": "x", "description": "y"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "CSRF" in response.json()["detail"]
    assert client.get(TICKETS).json()["count"] == 0


def test_password_guessing_is_throttled(alice, monkeypatch):
    from rest_framework.test import APIClient

    api_client = APIClient()
    from django.core.cache import cache
    from rest_framework.throttling import ScopedRateThrottle

    cache.clear()
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"login": "3/min"})
    for _ in range(3):
        response = api_client.post(
            "/api/v1/auth/token/", {"username": "alice", "password": "guess"}, format="json"
        )
        assert response.status_code == 400
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "alice", "password": "guess"}, format="json"
    )
    assert response.status_code == 429 and response.json()["code"] == "throttled"
    cache.clear()


def _token_client(user):
    from rest_framework.authtoken.models import Token

    token, _created = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client, token


@pytest.mark.django_db
def test_a_known_token_is_not_looked_up_again(alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, _token = _token_client(alice)
    assert client.get(TICKETS).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(TICKETS).status_code == 200
    assert not [q for q in queries if '"authtoken_token"' in q["sql"]]


@pytest.mark.django_db
def test_deactivating_a_user_or_deleting_a_token_shuts_the_api_at_once(alice, bob):
    client, _token = _token_client(alice)
    assert client.get(TICKETS).status_code == 200  # now remembered by this process
    alice.is_active = False
    alice.save()
    response = client.get(TICKETS)
    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"

    client, token = _token_client(bob)
    assert client.get(TICKETS).status_code == 200
    token.delete()
    assert client.get(TICKETS).status_code == 401


@pytest.mark.django_db
def test_a_changed_role_counts_from_the_next_request(alice, service_desk):
    client, _token = _token_client(alice)
    urgent = {"title": "Core switch down", "description": "Floor 3", "priority": "P1"}
    assert client.post(TICKETS, urgent, format="json").status_code == 403  # a requester's request
    alice.role = "agent"
    alice.save()
    assert client.post(TICKETS, urgent, format="json").status_code == 201
    alice.role = "requester"
    alice.save()
    assert client.post(TICKETS, urgent, format="json").status_code == 403


@pytest.mark.django_db
def test_each_request_gets_its_own_user_object(alice):
    from rest_framework.authtoken.models import Token

    from itdesk.accounts.authentication import CachedTokenAuthentication

    key = Token.objects.create(user=alice).key
    first_user, first_token = CachedTokenAuthentication().authenticate_credentials(key)
    first_user.display_name = "changed by one request"
    second_user, second_token = CachedTokenAuthentication().authenticate_credentials(key)
    third_user, _third = CachedTokenAuthentication().authenticate_credentials(key)
    assert second_user is not third_user and second_token.user is second_user
    assert second_user.display_name == third_user.display_name != "changed by one request"
    assert second_user.pk == alice.pk and second_token.key == first_token.key == key
