"""A small SSRF-safe HTTP client for outgoing calls to addresses that users configure (webhooks, IM bots).

Every request checks its destination first: the scheme must be http or https and every address the host
name resolves to must be public (no loopback, private, link-local, CGNAT, multicast, reserved, unspecified
or cloud metadata address), unless an administrator allowlisted it (settings.ITDESK_OUTBOUND_ALLOWLIST:
host names, IP addresses or CIDR networks). The connection then goes to the address that was checked,
never through a second DNS look-up, so a host name that changes its answer between check and connect
(DNS rebinding) cannot reach an internal address. The Host header, TLS SNI and certificate check still use
the host name. Redirects are followed by hand, each hop checked again; the whole call has one deadline.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from itdesk.core.errors import ServiceError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024

# Never reachable, whatever the allowlist says: the instance metadata services of the big clouds.
METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata.goog", "metadata"})
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)
# Ranges Python's ipaddress does not flag as non-global in every version, refused explicitly.
_EXTRA_BLOCKED = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/128",
        "::1/128",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UnsafeDestination(ServiceError):
    """The URL points somewhere the desk must not call (not http(s), unresolvable or not public)."""

    code = "unsafe_destination"
    status = 400
    default_message = _("This address cannot be called from the service desk.")


class DeliveryFailed(ServiceError):
    """The call was allowed but did not complete: connection error, timeout, TLS error, too many redirects."""

    code = "delivery_failed"
    status = 502
    default_message = _("The request could not be delivered.")


@dataclass(frozen=True)
class HttpResult:
    status: int
    headers: dict[str, str]
    body: bytes  # capped at max_response_bytes
    url: str  # final URL after redirects
    elapsed_ms: int


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[IPAddress, ...]


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries (mapped, NAT64, 6to4, Teredo), which are judged as well."""
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip in _NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    return found


def is_public_address(ip: IPAddress) -> bool:
    """True when `ip` is a globally routable unicast address (not internal, special or metadata)."""
    if ip in METADATA_ADDRESSES:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return False
        embedded = _embedded_ipv4(ip)
        if embedded and not all(is_public_address(v4) for v4 in embedded):
            return False
        if ip.ipv4_mapped is not None:
            return True  # judged by the IPv4 address it maps
        if ip.is_site_local:
            return False
    if any(ip.version == net.version and ip in net for net in _EXTRA_BLOCKED):
        return False
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def _parse_allowlist(entries: Iterable[str]) -> tuple[set[str], list[IPNetwork]]:
    hosts: set[str] = set()
    networks: list[IPNetwork] = []
    for raw in entries:
        entry = str(raw).strip().lower()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
        except ValueError:
            hosts.add(entry.rstrip("."))
    return hosts, networks


def _default_allowlist() -> list[str]:
    from django.conf import settings

    return list(getattr(settings, "ITDESK_OUTBOUND_ALLOWLIST", []) or [])


def _refuse(message: str, **details: Any) -> UnsafeDestination:
    return UnsafeDestination(message, **details)


def _resolve(url: str, allowlist: Iterable[str] | None) -> _Target:
    """Check `url` and return where to connect; raises UnsafeDestination before any connection."""
    if not isinstance(url, str) or not url or any(ord(ch) <= 32 or ord(ch) == 127 for ch in url):
        raise _refuse(gettext("The address is not a valid URL."), reason="invalid_url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _refuse(gettext("The address is not a valid URL."), reason="invalid_url") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise _refuse(gettext("Only http and https addresses can be called."), reason="scheme")
    if parts.username is not None or parts.password is not None:
        raise _refuse(
            gettext("Addresses with a user name or password in them are not accepted."), reason="userinfo"
        )
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise _refuse(gettext("The address has no host name."), reason="invalid_url")
    if not host.isascii():  # an internationalised name: resolve and send its ASCII (punycode) form
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise _refuse(gettext("The address is not a valid URL."), reason="invalid_url") from None
    if host in METADATA_HOSTS:
        raise _refuse(gettext("Cloud metadata services cannot be called."), reason="metadata", host=host)
    port = port or (443 if scheme == "https" else 80)
    allowed_hosts, allowed_networks = _parse_allowlist(
        _default_allowlist() if allowlist is None else allowlist
    )
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise _refuse(
            gettext("The host name %(host)s does not resolve.") % {"host": host},
            reason="unresolvable",
            host=host,
        ) from None
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and len(sockaddr) > 3 and sockaddr[3]:
            ip = ipaddress.ip_address(f"{ip}%{sockaddr[3]}")
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise _refuse(
            gettext("The host name %(host)s does not resolve.") % {"host": host},
            reason="unresolvable",
            host=host,
        )
    host_allowed = host in allowed_hosts
    for ip in addresses:
        bare = ipaddress.ip_address(str(ip).split("%", 1)[0])
        if bare in METADATA_ADDRESSES or (
            isinstance(bare, ipaddress.IPv6Address) and bare.ipv4_mapped in METADATA_ADDRESSES
        ):
            raise _refuse(gettext("Cloud metadata services cannot be called."), reason="metadata", host=host)
        if host_allowed or is_public_address(ip):
            continue
        if any(bare.version == net.version and bare in net for net in allowed_networks):
            continue
        mapped = bare.ipv4_mapped if isinstance(bare, ipaddress.IPv6Address) else None
        if mapped is not None and any(net.version == 4 and mapped in net for net in allowed_networks):
            continue
        raise _refuse(
            gettext("%(host)s resolves to %(address)s, which is not a public address.")
            % {"host": host, "address": str(bare)},
            reason="not_public",
            host=host,
            address=str(bare),
        )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return _Target(scheme=scheme, host=host, port=port, path=path, addresses=tuple(addresses))


def check_destination(url: str, *, allowlist: Iterable[str] | None = None) -> None:
    """Raise UnsafeDestination unless `url` is http(s) and every address its host resolves to may be called."""
    _resolve(url, allowlist)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to an already checked address; the Host header still names the host."""

    def __init__(self, host: str, port: int, address: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def _open_socket(self) -> socket.socket:
        family = socket.AF_INET6 if self._address.version == 6 else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.connect((str(self._address), self.port))
        except BaseException:
            sock.close()
            raise
        return sock

    def connect(self) -> None:
        self.sock = self._open_socket()


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """HTTPS to an already checked address, with SNI and certificate verification for the host name."""

    default_port = http.client.HTTPS_PORT

    def __init__(
        self, host: str, port: int, address: IPAddress, timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, address, timeout)
        self._ssl_context = context

    def connect(self) -> None:
        sock = self._open_socket()
        try:
            self.sock = self._ssl_context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def _tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    return context


def _abort(conn: http.client.HTTPConnection) -> None:
    """Watchdog: cut the socket when the deadline passes, whatever the server is doing."""
    sock = conn.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _one_hop(
    target: _Target, method: str, body: bytes, headers: Mapping[str, str], deadline: float, max_bytes: int
) -> tuple[int, dict[str, str], bytes]:
    """Send one request to the first checked address that accepts a connection."""
    last_error: Exception | None = None
    for address in target.addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        if target.scheme == "https":
            conn: http.client.HTTPConnection = _PinnedHTTPSConnection(
                target.host, target.port, address, remaining, _tls_context()
            )
        else:
            conn = _PinnedHTTPConnection(target.host, target.port, address, remaining)
        watchdog = threading.Timer(remaining, _abort, args=(conn,))
        watchdog.daemon = True
        watchdog.start()
        try:
            try:
                conn.connect()
            except OSError as exc:  # refused / unreachable: try the next checked address
                last_error = exc
                continue
            conn.putrequest(method, target.path, skip_accept_encoding=True)
            for name, value in headers.items():
                conn.putheader(name, value)
            if body or method.upper() not in ("GET", "HEAD", "DELETE", "OPTIONS"):
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body or None)
            response = conn.getresponse()
            chunks: list[bytes] = []
            size = 0
            while size < max_bytes:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("the response did not complete before the deadline")
                if conn.sock is not None:
                    conn.sock.settimeout(left)
                chunk = response.read(min(_CHUNK, max_bytes - size)) if method.upper() != "HEAD" else b""
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            if time.monotonic() >= deadline:  # the watchdog cut the body short
                raise TimeoutError("the response did not complete before the deadline")
            result_headers: dict[str, str] = {}
            for name, value in response.getheaders():
                key = name.lower()
                result_headers[key] = f"{result_headers[key]}, {value}" if key in result_headers else value
            return response.status, result_headers, b"".join(chunks)
        finally:
            watchdog.cancel()
            conn.close()
    if last_error is not None:
        raise last_error
    raise TimeoutError("the deadline passed before a connection was made")


def send(
    method: str,
    url: str,
    *,
    body: bytes = b"",
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
    allowlist: Iterable[str] | None = None,
    max_redirects: int = 3,
    max_response_bytes: int = 1_000_000,
) -> HttpResult:
    """Make one HTTP call to a checked destination; raises UnsafeDestination or DeliveryFailed."""
    started = time.monotonic()
    deadline = started + max(timeout, 0.001)
    method = method.upper()
    current_url = url
    current_headers = {
        k: v for k, v in (headers or {}).items() if k.lower() not in ("host", "content-length")
    }
    current_headers.setdefault("User-Agent", "ITDesk")
    redirects = 0
    while True:
        target = _resolve(current_url, allowlist)  # every hop is checked before it is connected to
        try:
            status, response_headers, response_body = _one_hop(
                target, method, body, current_headers, deadline, max_response_bytes
            )
        except UnsafeDestination:
            raise
        except (OSError, http.client.HTTPException, ValueError) as exc:
            timed_out = isinstance(exc, TimeoutError) or time.monotonic() >= deadline
            reason = "timeout" if timed_out else "connection"
            message = (
                gettext("No answer from %(host)s within %(seconds)s seconds.")
                % {"host": target.host, "seconds": f"{timeout:g}"}
                if timed_out
                else gettext("Could not reach %(host)s: %(error)s") % {"host": target.host, "error": exc}
            )
            raise DeliveryFailed(message, reason=reason, url=current_url) from exc
        location = response_headers.get("location")
        if status not in REDIRECT_STATUSES or not location or max_redirects <= 0:
            # max_redirects=0 hands the redirect itself back instead of following it.
            return HttpResult(
                status=status,
                headers=response_headers,
                body=response_body,
                url=current_url,
                elapsed_ms=int((time.monotonic() - started) * 1000),
            )
        if redirects >= max_redirects:
            raise DeliveryFailed(
                gettext("Too many redirects (more than %(count)s).") % {"count": max_redirects},
                reason="too_many_redirects",
                url=current_url,
            )
        redirects += 1
        next_url = urljoin(current_url, location)
        if urlsplit(next_url).scheme.lower() not in ("http", "https"):
            raise UnsafeDestination(
                gettext("Only http and https addresses can be called."), reason="scheme", url=next_url
            )
        # Webhooks and bot APIs are POSTs: 301/302/307/308 keep the method and body (RFC 9110 allows it
        # for 301/302, and a GET without the body would "deliver" nothing); only 303 means "now GET".
        if status == 303:
            method = "GET" if method != "HEAD" else "HEAD"
            body = b""
            current_headers = {k: v for k, v in current_headers.items() if k.lower() != "content-type"}
        old, new = urlsplit(current_url), urlsplit(next_url)
        if (old.scheme, old.hostname, old.port) != (new.scheme, new.hostname, new.port):
            # Credentials meant for one origin are not handed to another.
            current_headers = {
                k: v for k, v in current_headers.items() if k.lower() not in ("authorization", "cookie")
            }
        current_url = next_url
