"""A real HTTP receiver on 127.0.0.1 that behaves like a webhook consumer (verifies signatures, records calls)."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool | None = None
    rejected: str = ""

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    """Configure the answers, then read `calls` (every request) and `accepted` (verified, 2xx answered)."""

    secret: str = ""
    statuses: list[int] = field(default_factory=list)  # answered in order, then 200
    delay: float = 0.0
    redirect_to: str = ""
    max_age: int = 300
    calls: list[Call] = field(default_factory=list)
    accepted: list[Call] = field(default_factory=list)
    url: str = ""
    port: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def verify(self, call: Call) -> str:
        """Do what a consumer does: check timestamp freshness and the HMAC; return a reason or ""."""
        stamp = call.headers.get("x-itdesk-timestamp", "")
        signature = call.headers.get("x-itdesk-signature", "")
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > self.max_age:
            return "stale timestamp"
        expected = (
            "sha256="
            + hmac.new(self.secret.encode(), stamp.encode() + b"." + call.body, hashlib.sha256).hexdigest()
        )
        if not hmac.compare_digest(expected, signature):
            return "bad signature"
        return ""


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep test output quiet
            pass

        def _answer(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            call = Call(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            with receiver.lock:
                receiver.calls.append(call)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
            if receiver.delay:
                time.sleep(receiver.delay)
            if receiver.redirect_to:
                self._answer(302, headers={"Location": receiver.redirect_to})
                return
            if receiver.secret:
                call.rejected = receiver.verify(call)
                call.signature_ok = not call.rejected
                if call.rejected:
                    self._answer(401, call.rejected.encode())
                    return
            if 200 <= status < 300:
                with receiver.lock:
                    receiver.accepted.append(call)
            with contextlib.suppress(OSError):  # the client may have given up (timeout tests)
                self._answer(status, b'{"ok": true}' if status < 300 else b"receiver error")

        do_POST = do_GET = do_PUT = _handle

    return Handler


class running_receiver:
    """Context manager: a threaded http.server on 127.0.0.1 and a free port."""

    def __init__(self, **options) -> None:
        self.receiver = Receiver(**options)

    def __enter__(self) -> Receiver:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.receiver))
        self.server.daemon_threads = True
        self.receiver.port = self.server.server_address[1]
        self.receiver.url = f"http://127.0.0.1:{self.receiver.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05})
        self.thread.daemon = True
        self.thread.start()
        return self.receiver

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
