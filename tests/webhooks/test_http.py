"""The SSRF-safe HTTP client: internal addresses are refused before any connection, receivers on 127.0.0.1."""

import socket
import time

import pytest

from itdesk.channels.http import DeliveryFailed, UnsafeDestination, check_destination, send
from tests.webhooks.receiver import running_receiver

REFUSED = [
    "http://169.254.169.254/latest/meta-data/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://[fd00:ec2::254]/",
    "http://127.0.0.1/",
    "http://127.1.2.3:8080/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:10.0.0.1]/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://0.0.0.0/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://2130706433/",  # decimal spelling of 127.0.0.1
    "http://0x7f.1/",  # hex spelling
    "http://0177.0.0.1/",  # octal spelling
    "http://localhost/",  # a host name that resolves to loopback
    "http://LOCALHOST./",
]


@pytest.fixture
def no_connections(monkeypatch):
    """Fail the test if anything tries to open a TCP connection."""
    attempts = []

    def forbidden(self, address, *args, **kwargs):
        attempts.append(address)
        raise AssertionError(f"connection attempted to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", forbidden)
    monkeypatch.setattr(socket.socket, "connect_ex", forbidden)
    return attempts


@pytest.mark.parametrize("url", REFUSED)
def test_internal_destinations_are_refused_before_connecting(url, settings, no_connections):
    settings.ITDESK_OUTBOUND_ALLOWLIST = []
    with pytest.raises(UnsafeDestination) as refused:
        check_destination(url)
    assert refused.value.code == "unsafe_destination"
    assert refused.value.status == 400
    with pytest.raises(UnsafeDestination):
        send("POST", url, body=b"{}")
    assert no_connections == []


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "file:///etc/passwd",
        "gopher://127.0.0.1/",
        "http://user:pw@example.com/",
        "http:///x",
        "",
    ],
)
def test_non_http_and_malformed_urls_are_refused(url, no_connections):
    with pytest.raises(UnsafeDestination):
        check_destination(url, allowlist=[])
    assert no_connections == []


def test_public_ip_literal_is_accepted_without_connecting(no_connections):
    check_destination("https://8.8.8.8/hook", allowlist=[])
    check_destination("http://[2001:4860:4860::8888]:8443/x", allowlist=[])
    assert no_connections == []


def test_metadata_stays_refused_even_when_its_network_is_allowlisted(no_connections):
    with pytest.raises(UnsafeDestination):
        check_destination("http://169.254.169.254/", allowlist=["169.254.0.0/16"])
    with pytest.raises(UnsafeDestination):
        check_destination("http://metadata.google.internal/", allowlist=["metadata.google.internal"])


def test_allowlist_entries_ip_cidr_and_hostname():
    check_destination("http://127.0.0.1:9/", allowlist=["127.0.0.1"])
    check_destination("http://127.0.0.1:9/", allowlist=["127.0.0.0/8"])
    check_destination("http://localhost:9/", allowlist=["localhost"])
    with pytest.raises(UnsafeDestination):
        check_destination("http://10.0.0.1/", allowlist=["127.0.0.1"])


def test_loopback_refused_without_allowlist_and_allowed_with_it(settings):
    with running_receiver() as receiver:
        settings.ITDESK_OUTBOUND_ALLOWLIST = []
        with pytest.raises(UnsafeDestination):
            send("POST", receiver.url, body=b"{}")
        assert receiver.calls == []

        settings.ITDESK_OUTBOUND_ALLOWLIST = ["127.0.0.1"]
        result = send("POST", receiver.url, body=b'{"a": 1}', headers={"Content-Type": "application/json"})
    assert result.status == 200
    assert result.body == b'{"ok": true}'
    assert result.url == receiver.url
    assert result.headers["content-length"] == "12"
    assert result.elapsed_ms >= 0
    assert receiver.calls[0].body == b'{"a": 1}'
    assert receiver.calls[0].headers["host"] == f"127.0.0.1:{receiver.port}"


def test_allowlist_argument_overrides_the_setting(settings):
    settings.ITDESK_OUTBOUND_ALLOWLIST = []
    with running_receiver() as receiver:
        assert send("GET", receiver.url, allowlist=["127.0.0.1"]).status == 200


def test_localhost_host_header_is_the_name_not_the_address():
    with running_receiver() as receiver:
        url = f"http://localhost:{receiver.port}/hook"
        result = send("POST", url, body=b"x", allowlist=["localhost"])
    assert result.status == 200
    assert receiver.calls[0].headers["host"] == f"localhost:{receiver.port}"


@pytest.mark.parametrize("target", ["http://10.0.0.1/steal", "http://169.254.169.254/latest/meta-data/"])
def test_redirect_from_allowlisted_receiver_to_internal_address_is_refused(target):
    with running_receiver(redirect_to=target) as receiver, pytest.raises(UnsafeDestination) as refused:
        send("POST", receiver.url, body=b"{}", allowlist=["127.0.0.1"])
    assert len(receiver.calls) == 1  # the first hop was made, the second never
    assert refused.value.details.get("reason") in {"not_public", "metadata"}


def test_redirect_to_non_http_scheme_is_refused():
    with running_receiver(redirect_to="file:///etc/passwd") as receiver, pytest.raises(UnsafeDestination):
        send("GET", receiver.url, allowlist=["127.0.0.1"])


def test_redirect_loops_end_with_delivery_failed():
    with running_receiver() as receiver:
        receiver.redirect_to = f"http://127.0.0.1:{receiver.port}/again"
        with pytest.raises(DeliveryFailed) as failed:
            send("GET", receiver.url, allowlist=["127.0.0.1"], max_redirects=2)
    assert failed.value.code == "delivery_failed"
    assert len(receiver.calls) == 3


def test_redirect_within_allowlist_is_followed():
    with running_receiver() as final, running_receiver() as first:
        first.redirect_to = final.url
        result = send("POST", first.url, body=b"{}", allowlist=["127.0.0.1"])
    assert result.status == 200
    assert result.url == final.url
    assert final.calls[0].method == "POST"  # a webhook POST stays a POST across the redirect
    assert final.calls[0].body == b"{}"


def test_slow_receiver_is_cut_at_the_timeout():
    with running_receiver(delay=3.0) as receiver:
        started = time.monotonic()
        with pytest.raises(DeliveryFailed) as failed:
            send("POST", receiver.url, body=b"{}", allowlist=["127.0.0.1"], timeout=0.5)
        elapsed = time.monotonic() - started
    assert elapsed < 1.5
    assert failed.value.details["reason"] == "timeout"


def test_connection_refused_is_delivery_failed():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DeliveryFailed) as failed:
        send("GET", f"http://127.0.0.1:{port}/", allowlist=["127.0.0.1"], timeout=2)
    assert failed.value.details["reason"] == "connection"


def test_response_body_is_capped():
    with running_receiver() as receiver:
        result = send("GET", receiver.url, allowlist=["127.0.0.1"], max_response_bytes=4)
    assert result.body == b'{"ok'
