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
