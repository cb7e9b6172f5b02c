"""An HTTP server on 127.0.0.1 that imitates the DingTalk, WeCom, Feishu and Slack APIs the desk calls.

It checks each request the way the platform does (robot signatures and their time windows, webhook keys,
app credentials and access tokens), records what it received and answers like the platform.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    route: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    accepted: bool


@dataclass
class PlatformConfig:
    dingtalk_robot_token: str = "ding-robot-token"
    dingtalk_robot_secret: str = "SECdingsecret"
    dingtalk_app_key: str = "dingappkey"
    dingtalk_app_secret: str = "dingappsecret"
    dingtalk_agent_id: int = 1001
    wecom_robot_key: str = "wecom-robot-key"
    wecom_corp_id: str = "ww-corp-1"
    wecom_corp_secret: str = "wecom-corp-secret"
    wecom_agent_id: int = 1000002
    feishu_hook_id: str = "feishu-hook-1"
    feishu_robot_secret: str = "feishu-robot-secret"
    feishu_app_id: str = "cli_feishu"
    feishu_app_secret: str = "feishu-app-secret"
    slack_hook_path: str = "/services/T000/B000/XXXX"
    slack_bot_token: str = "xoxb-slack-bot"
    fail_people_times: int = 0  # answer people-message calls with an error this many times
    issued: dict[str, str] = field(default_factory=dict)  # platform -> access token issued


def _b64_hmac(key: bytes, msg: bytes) -> str:
    return base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()


class FakePlatforms:
    """Start with .start(); .base_url is the api_base; .received lists every call."""

    def __init__(self) -> None:
        self.config = PlatformConfig()
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    # -- lifecycle
    def start(self) -> FakePlatforms:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def calls(self, route: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.route == route]

    # -- dispatch
    def _handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(request.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        headers = {k.lower(): v for k, v in request.headers.items()}
        route, status, answer = self._route(method, parts.path, query, headers, body)
        accepted = status == 200 and (
            answer == "ok"
            or (
                isinstance(answer, dict)
                and (answer.get("errcode") == 0 or answer.get("code") == 0 or answer.get("ok") is True)
            )
        )
        with self.lock:
            self.received.append(Received(route, parts.path, query, headers, body, accepted))
        payload = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
        request.send_response(status)
        request.send_header("Content-Type", "text/plain" if isinstance(answer, str) else "application/json")
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        request.wfile.write(payload)

    def _token(self, platform: str) -> str:
        token = self.config.issued.setdefault(platform, f"{platform}-token-{len(self.received)}")
        return token

    def _people_failure(self) -> bool:
        if self.config.fail_people_times > 0:
            self.config.fail_people_times -= 1
            return True
        return False

    def _route(
        self, method: str, path: str, q: dict[str, str], h: dict[str, str], body: Any
    ) -> tuple[str, int, Any]:
        c = self.config
        now_ms = time.time() * 1000
        # DingTalk custom robot
        if path == "/robot/send":
            if q.get("access_token") != c.dingtalk_robot_token:
                return "dingtalk-robot", 200, {"errcode": 300001, "errmsg": "token is not exist"}
            ts = q.get("timestamp", "")
            if not ts.isdigit() or abs(now_ms - int(ts)) > 3600_000:
                return "dingtalk-robot", 200, {"errcode": 310000, "errmsg": "invalid timestamp"}
            expected = _b64_hmac(
                c.dingtalk_robot_secret.encode(), f"{ts}\n{c.dingtalk_robot_secret}".encode()
            )
            if not hmac.compare_digest(expected, q.get("sign", "")):
                return "dingtalk-robot", 200, {"errcode": 310000, "errmsg": "sign not match"}
            if body.get("msgtype") != "markdown" or not body["markdown"].get("title"):
                return "dingtalk-robot", 200, {"errcode": 40035, "errmsg": "missing parameter"}
            return "dingtalk-robot", 200, {"errcode": 0, "errmsg": "ok"}
        # DingTalk app: token and work notifications
        if path == "/gettoken":
            if (q.get("appkey"), q.get("appsecret")) != (c.dingtalk_app_key, c.dingtalk_app_secret):
                return "dingtalk-token", 200, {"errcode": 40089, "errmsg": "invalid appkey or appsecret"}
            return (
                "dingtalk-token",
                200,
                {"errcode": 0, "access_token": self._token("dingtalk"), "expires_in": 7200},
            )
        if path == "/topapi/message/corpconversation/asyncsend_v2":
            if q.get("access_token") != c.issued.get("dingtalk") or self._people_failure():
                return "dingtalk-person", 200, {"errcode": 88, "errmsg": "invalid access_token"}
            if body.get("agent_id") != c.dingtalk_agent_id:
                return "dingtalk-person", 200, {"errcode": 40056, "errmsg": "invalid agentid"}
            return "dingtalk-person", 200, {"errcode": 0, "task_id": 1, "request_id": "r"}
        # WeCom robot and app
        if path == "/cgi-bin/webhook/send":
            if q.get("key") != c.wecom_robot_key:
                return "wecom-robot", 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
            if body.get("msgtype") != "markdown" or not body["markdown"].get("content"):
                return "wecom-robot", 200, {"errcode": 40008, "errmsg": "invalid message type"}
            return "wecom-robot", 200, {"errcode": 0, "errmsg": "ok"}
        if path == "/cgi-bin/gettoken":
            if (q.get("corpid"), q.get("corpsecret")) != (c.wecom_corp_id, c.wecom_corp_secret):
                return "wecom-token", 200, {"errcode": 40001, "errmsg": "invalid credential"}
            return (
                "wecom-token",
                200,
                {"errcode": 0, "access_token": self._token("wecom"), "expires_in": 7200},
            )
        if path == "/cgi-bin/message/send":
            if q.get("access_token") != c.issued.get("wecom") or self._people_failure():
                return "wecom-person", 200, {"errcode": 40014, "errmsg": "invalid access_token"}
            if body.get("agentid") != c.wecom_agent_id or body.get("msgtype") != "text":
                return "wecom-person", 200, {"errcode": 40056, "errmsg": "invalid agentid"}
            return "wecom-person", 200, {"errcode": 0, "errmsg": "ok"}
        # Feishu robot and app
        if path.startswith("/open-apis/bot/v2/hook/"):
            if path.rsplit("/", 1)[-1] != c.feishu_hook_id:
                return (
                    "feishu-robot",
                    404,
                    {"code": 19001, "msg": "param invalid: incoming webhook access token invalid"},
                )
            ts = str(body.get("timestamp", ""))
            expected = _b64_hmac(f"{ts}\n{c.feishu_robot_secret}".encode(), b"")
            fresh = ts.isdigit() and abs(time.time() - int(ts)) <= 3600
            if not fresh or not hmac.compare_digest(expected, str(body.get("sign", ""))):
                return (
                    "feishu-robot",
                    200,
                    {"code": 19021, "msg": "sign match fail or timestamp is not within one hour"},
                )
            return "feishu-robot", 200, {"code": 0, "msg": "success", "data": {}}
        if path == "/open-apis/auth/v3/tenant_access_token/internal":
            if (body.get("app_id"), body.get("app_secret")) != (c.feishu_app_id, c.feishu_app_secret):
                return "feishu-token", 200, {"code": 10014, "msg": "app secret invalid"}
            return (
                "feishu-token",
                200,
                {"code": 0, "tenant_access_token": self._token("feishu"), "expire": 7200},
            )
        if path.startswith("/open-apis/im/v1/messages"):
            route = "feishu-reply" if path.endswith("/reply") else "feishu-person"
            if h.get("authorization") != f"Bearer {c.issued.get('feishu')}" or self._people_failure():
                return route, 400, {"code": 99991663, "msg": "Invalid access token for authorization."}
            if route == "feishu-person" and q.get("receive_id_type") != "open_id":
                return route, 400, {"code": 230001, "msg": "invalid receive_id_type"}
            json.loads(body["content"])  # content is a JSON string
            return route, 200, {"code": 0, "msg": "success", "data": {"message_id": "om_new"}}
        # Slack
        if path.startswith("/services/"):
            if path != c.slack_hook_path:
                return "slack-robot", 404, "no_service"
            return "slack-robot", 200, "ok"
        if path == "/api/chat.postMessage":
            if h.get("authorization") != f"Bearer {c.slack_bot_token}" or self._people_failure():
                return "slack-post", 200, {"ok": False, "error": "invalid_auth"}
            return "slack-post", 200, {"ok": True, "channel": body.get("channel"), "ts": "1700000000.000200"}
        return "unknown", 404, {"errcode": 404, "errmsg": "not found"}
