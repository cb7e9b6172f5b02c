"""Calls to the IM platforms' APIs: group robot posts, access tokens, messages to people, replies.

Every call goes through the SSRF-safe client (itdesk.channels.http). Each function raises ImApiError
when the platform did not accept the message, so the outbox keeps it and retries.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.cache import cache

from itdesk.channels import http
from itdesk.channels.im import signatures
from itdesk.channels.im.models import ImIntegration, Platform


class ImApiError(Exception):
    """The platform refused or failed a call (HTTP error or an error code in its answer)."""


def _timeout() -> float:
    return float(getattr(settings, "ITDESK_IM_TIMEOUT", 10))


def _call(
    method: str, url: str, payload: Any = None, headers: dict[str, str] | None = None
) -> http.HttpResult:
    body = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
    all_headers = {"Accept": "application/json"}
    if payload is not None:
        all_headers["Content-Type"] = "application/json; charset=utf-8"
    all_headers.update(headers or {})
    result = http.send(method, url, body=body, headers=all_headers, timeout=_timeout(), max_redirects=0)
    if result.status >= 300:
        raise ImApiError(f"HTTP {result.status}: {result.body[:300].decode(errors='replace')}")
    return result


def _json(result: http.HttpResult) -> dict[str, Any]:
    try:
        data = json.loads(result.body or b"{}")
    except ValueError:
        raise ImApiError(f"not JSON: {result.body[:200].decode(errors='replace')}") from None
    if not isinstance(data, dict):
        raise ImApiError("unexpected answer")
    return data


def _check(platform: str, data: dict[str, Any]) -> dict[str, Any]:
    """Raise unless the platform's own success code says the call worked."""
    if platform == Platform.SLACK:
        if data.get("ok") is not True:
            raise ImApiError(f"slack error: {data.get('error', 'unknown')}")
        return data
    if platform == Platform.FEISHU:
        code = data.get("code", data.get("StatusCode", -1))
        if code != 0:
            raise ImApiError(f"feishu error {code}: {data.get('msg') or data.get('StatusMessage', '')}")
        return data
    if data.get("errcode", -1) != 0:
        raise ImApiError(f"{platform} error {data.get('errcode')}: {data.get('errmsg', '')}")
    return data


# ---------------------------------------------------------------- group robots


def wecom_robot_url(integration: ImIntegration) -> str:
    """A WeCom robot is given as its webhook URL or just its key."""
    value = integration.robot_url.strip()
    if "://" in value:
        return value
    return f"{integration.base_url}/cgi-bin/webhook/send?key={quote(value, safe='')}"


def post_to_robot(integration: ImIntegration, title: str, text: str) -> None:
    """Post a notice to the integration's group robot, signed the way the platform checks it."""
    platform = integration.platform
    if not integration.robot_url:
        raise ImApiError("no group robot configured")
    if platform == Platform.DINGTALK:
        url = signatures.dingtalk_robot_url(integration.robot_url.strip(), integration.robot_secret)
        payload: dict[str, Any] = {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
        _check(platform, _json(_call("POST", url, payload)))
    elif platform == Platform.WECOM:
        payload = {"msgtype": "markdown", "markdown": {"content": text}}
        _check(platform, _json(_call("POST", wecom_robot_url(integration), payload)))
    elif platform == Platform.FEISHU:
        payload = {"msg_type": "text", "content": {"text": text}}
        if integration.robot_secret:
            timestamp = str(int(time.time()))
            payload = {
                "timestamp": timestamp,
                "sign": signatures.feishu_robot_sign(integration.robot_secret, timestamp),
                **payload,
            }
        _check(platform, _json(_call("POST", integration.robot_url.strip(), payload)))
    else:  # Slack incoming webhook: answers "ok" as plain text, errors as 4xx
        _call("POST", integration.robot_url.strip(), {"text": text})


# ---------------------------------------------------------------- access tokens


def _token_key(integration: ImIntegration) -> str:
    fingerprint = hashlib.sha256(f"{integration.app_id}\0{integration.app_secret}".encode()).hexdigest()[:16]
    return f"itdesk:im:token:{integration.pk}:{fingerprint}"


def access_token(integration: ImIntegration) -> str:
    """The app's access token, fetched once and cached until shortly before it expires."""
    if integration.platform == Platform.SLACK:
        return integration.bot_token
    key = _token_key(integration)
    token = cache.get(key)
    if token:
        return token
    platform, base = integration.platform, integration.base_url
    if platform == Platform.DINGTALK:
        query = urlencode({"appkey": integration.app_id, "appsecret": integration.app_secret})
        data = _check(platform, _json(_call("GET", f"{base}/gettoken?{query}")))
        token, expires = data.get("access_token", ""), int(data.get("expires_in", 7200))
    elif platform == Platform.WECOM:
        query = urlencode({"corpid": integration.app_id, "corpsecret": integration.app_secret})
        data = _check(platform, _json(_call("GET", f"{base}/cgi-bin/gettoken?{query}")))
        token, expires = data.get("access_token", ""), int(data.get("expires_in", 7200))
    else:
        payload = {"app_id": integration.app_id, "app_secret": integration.app_secret}
        data = _check(
            platform, _json(_call("POST", f"{base}/open-apis/auth/v3/tenant_access_token/internal", payload))
        )
        token, expires = data.get("tenant_access_token", ""), int(data.get("expire", 7200))
    if not token:
        raise ImApiError("the platform returned no access token")
    cache.set(key, token, max(expires - 300, 60))
    return token


def forget_token(integration: ImIntegration) -> None:
    """Drop a cached token (after the platform refused it), so the next try fetches a fresh one."""
    cache.delete(_token_key(integration))


def _with_token(integration: ImIntegration, call: Any) -> dict[str, Any]:
    try:
        return call(access_token(integration))
    except ImApiError:
        forget_token(integration)
        raise


# ---------------------------------------------------------------- people and replies


def send_to_person(integration: ImIntegration, user_id: str, text: str) -> None:
    """Send a text message to one person through the platform's app messaging API."""
    platform, base = integration.platform, integration.base_url
    if platform == Platform.DINGTALK:

        def call(token: str) -> dict[str, Any]:
            url = f"{base}/topapi/message/corpconversation/asyncsend_v2?access_token={quote(token)}"
            payload = {
                "agent_id": int(integration.agent_id),
                "userid_list": user_id,
                "msg": {"msgtype": "text", "text": {"content": text}},
            }
            return _check(platform, _json(_call("POST", url, payload)))

    elif platform == Platform.WECOM:

        def call(token: str) -> dict[str, Any]:
            url = f"{base}/cgi-bin/message/send?access_token={quote(token)}"
            payload = {
                "touser": user_id,
                "msgtype": "text",
                "agentid": int(integration.agent_id),
                "text": {"content": text},
            }
            return _check(platform, _json(_call("POST", url, payload)))

    elif platform == Platform.FEISHU:

        def call(token: str) -> dict[str, Any]:
            url = f"{base}/open-apis/im/v1/messages?receive_id_type=open_id"
            payload = {
                "receive_id": user_id,
                "msg_type": "text",
                "content": json.dumps({"text": text}, ensure_ascii=False),
            }
            return _check(platform, _json(_call("POST", url, payload, {"Authorization": f"Bearer {token}"})))

    else:

        def call(token: str) -> dict[str, Any]:
            return slack_post_message(integration, token, channel=user_id, text=text)

    _with_token(integration, call)


def slack_post_message(
    integration: ImIntegration, token: str, *, channel: str, text: str, thread_ts: str = ""
) -> dict[str, Any]:
    """chat.postMessage with the bot token (to a channel, a thread or a user's direct messages)."""
    payload: dict[str, Any] = {"channel": channel, "text": text}
    if thread_ts:
        payload["thread_ts"] = thread_ts
    url = f"{integration.base_url}/api/chat.postMessage"
    return _check(Platform.SLACK, _json(_call("POST", url, payload, {"Authorization": f"Bearer {token}"})))


def reply(integration: ImIntegration, context: dict[str, str], text: str) -> None:
    """Answer an incoming message where it came from (Feishu: reply API; Slack: in the thread)."""
    if integration.platform == Platform.FEISHU:
        message_id = context.get("message_id", "")
        if not message_id:
            raise ImApiError("no message to reply to")

        def call(token: str) -> dict[str, Any]:
            url = f"{integration.base_url}/open-apis/im/v1/messages/{quote(message_id, safe='')}/reply"
            payload = {"msg_type": "text", "content": json.dumps({"text": text}, ensure_ascii=False)}
            return _check(
                Platform.FEISHU, _json(_call("POST", url, payload, {"Authorization": f"Bearer {token}"}))
            )

        _with_token(integration, call)
    elif integration.platform == Platform.SLACK:
        slack_post_message(
            integration,
            integration.bot_token,
            channel=context.get("channel", ""),
            text=text,
            thread_ts=context.get("thread_ts", ""),
        )
    elif context.get("user_id"):
        send_to_person(integration, context["user_id"], text)
    else:
        raise ImApiError("no way to reply on this platform")
