"""Fixtures for the page tests: signed-in clients and tickets made through the services."""

import pytest
from django.test import Client

from itdesk.tickets import services


@pytest.fixture
def client_for():
    """A test client signed in as `user`."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def make_ticket(service_desk):
    """Create a ticket through the services, as its requester."""

    def make(requester, title="Printer on floor 3 is jammed", description="Paper jam, error E05", **fields):
        return services.create_ticket(actor=requester, title=title, description=description, **fields)

    return make
