"""Fixtures for the webhooks tests: receivers on 127.0.0.1 (allowlisted) and endpoints pointing at them."""

import pytest

from tests.webhooks.receiver import running_receiver


@pytest.fixture
def allow_loopback(settings):
    settings.ITDESK_OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    settings.ITDESK_WEBHOOK_TIMEOUT = 2
    return settings


@pytest.fixture
def receiver():
    with running_receiver() as live:
        yield live


@pytest.fixture
def endpoint_for(allow_loopback, db):
    """endpoint_for(receiver, events=None, include_internal=False): an endpoint whose secret the receiver checks."""
    from itdesk.channels.webhooks import services

    def make(live, events=None, include_internal=False, url=None, name="Receiver"):
        endpoint, secret = services.create_endpoint(
            name=name, url=url or live.url, event_types=events, include_internal=include_internal
        )
        live.secret = secret
        return endpoint

    return make
