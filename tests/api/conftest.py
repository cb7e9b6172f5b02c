"""API test helpers: clients signed in with a token, and a small ticket factory through the API."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from itdesk.tickets import services


@pytest.fixture(autouse=True)
def _first_line(service_desk):
    """Every new request is routed to the first-line group."""
    return service_desk


@pytest.fixture
def client_for(db):
    """An API client authenticated the way API callers are: `Authorization: Token ...`."""

    def make(user):
        token, _created = Token.objects.get_or_create(user=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def bobs_ticket(bob):
    """A request of bob's that alice must never see."""
    return services.create_ticket(actor=bob, title="Bob's printer", description="Paper jam on floor 3")
