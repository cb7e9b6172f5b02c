"""Callback endpoints of the IM platforms: /channels/im/<platform>/<integration id>/callback/.

Each view caps the body, verifies the platform's signature or token FIRST, then parses; failures answer
401/403/400 with a stable JSON code. DingTalk and WeCom get their answer in the HTTP response; Feishu
and Slack get 200 at once and their answer through the outbox ("im-reply").
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from itdesk.channels.im import inbound, outbound, signatures
from itdesk.channels.im.models import ImIntegration, Platform
from itdesk.channels.im.signatures import SignatureError

_STATUS = {
    "invalid_signature": 401,
    "stale_timestamp": 401,
    "invalid_token": 403,
    "invalid_receiver": 403,
    "not_configured": 403,
    "invalid_payload": 400,
}
ANSWER_TEXT_ONLY = _("Only text messages are understood. Please describe your request in words.")


class CallbackError(Exception):
    """A callback is refused before any processing."""

    def __init__(self, code: str, status: int) -> None:
        super().__init__(code)
        self.code, self.status = code, status


def _error(code: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "message": code.replace("_", " ")}, status=status)


def _from_signature(exc: SignatureError) -> CallbackError:
    return CallbackError(exc.code, _STATUS.get(exc.code, 401))


def _integration(platform: str, pk: int) -> ImIntegration:
    integration = ImIntegration.objects.filter(pk=pk, platform=platform, active=True).first()
    if integration is None:
        raise CallbackError("not_found", 404)
    return integration


def _body(request: HttpRequest) -> bytes:
    limit = getattr(settings, "ITDESK_IM_MAX_BODY_BYTES", 256 * 1024)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise CallbackError("payload_too_large", 413)
    body = request.body
    if len(body) > limit:
        raise CallbackError("payload_too_large", 413)
    return body


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        raise CallbackError("invalid_payload", 400) from None
    if not isinstance(data, dict):
        raise CallbackError("invalid_payload", 400)
    return data


def _callback(view: Any) -> Any:
    """Common wrapper: csrf-exempt, errors as JSON with a stable code."""

    @csrf_exempt
    def wrapped(request: HttpRequest, integration_id: int) -> HttpResponse:
        try:
            return view(request, integration_id)
        except CallbackError as exc:
            return _error(exc.code, exc.status)
        except SignatureError as exc:
            error = _from_signature(exc)
            return _error(error.code, error.status)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


# ---------------------------------------------------------------- DingTalk


@_callback
@require_http_methods(["POST"])
def dingtalk_callback(request: HttpRequest, integration_id: int) -> HttpResponse:
    """DingTalk enterprise robot: verify timestamp/sign headers, answer in the response."""
    integration = _integration(Platform.DINGTALK, integration_id)
    body = _body(request)
    signatures.verify_dingtalk(
        integration.app_secret, request.headers.get("timestamp"), request.headers.get("sign")
    )
    data = _json(body)
    if data.get("msgtype") != "text":
        return _dingtalk_answer(inbound.bilingual(ANSWER_TEXT_ONLY))
    text = (data.get("text") or {}).get("content", "") if isinstance(data.get("text"), dict) else ""
    sender = str(data.get("senderStaffId") or data.get("senderId") or "")
    message_id = str(data.get("msgId") or "")
    if not message_id or not sender:
        raise CallbackError("invalid_payload", 400)
    result = inbound.receive_text(
        integration=integration,
        incoming=inbound.IncomingText(message_id, sender, str(data.get("senderNick") or ""), str(text)),
    )
    return _dingtalk_answer(result.answer)


def _dingtalk_answer(text: str) -> JsonResponse:
    return JsonResponse(
        {"msgtype": "text", "text": {"content": text}}, json_dumps_params={"ensure_ascii": False}
    )


# ---------------------------------------------------------------- WeCom


def _wecom_crypto(integration: ImIntegration) -> signatures.WeComCrypto:
    if not (integration.callback_token and integration.encrypt_key and integration.app_id):
        raise CallbackError("not_configured", 403)
    return signatures.WeComCrypto(integration.callback_token, integration.encrypt_key, integration.app_id)


@_callback
@require_http_methods(["GET", "POST"])
def wecom_callback(request: HttpRequest, integration_id: int) -> HttpResponse:
    """WeCom app callback: GET echoes the decrypted echostr; POST answers with an encrypted passive reply."""
    integration = _integration(Platform.WECOM, integration_id)
    crypto = _wecom_crypto(integration)
    query = request.GET
    signature, timestamp, nonce = query.get("msg_signature"), query.get("timestamp"), query.get("nonce")
    if request.method == "GET":
        echostr = query.get("echostr", "")
        crypto.verify(signature, timestamp, nonce, echostr)
        return HttpResponse(crypto.decrypt(echostr), content_type="text/plain; charset=utf-8")
    body = _body(request)
    encrypt = signatures.parse_xml_fields(body).get("Encrypt", "")
    crypto.verify(signature, timestamp, nonce, encrypt)
    fields = signatures.parse_xml_fields(crypto.decrypt(encrypt))
    sender = fields.get("FromUserName", "")
    if fields.get("MsgType") != "text":
        if fields.get("MsgType") == "event" or not sender:
            return HttpResponse("")  # enter-agent and other events: nothing to say
        return _wecom_answer(crypto, integration, sender, inbound.bilingual(ANSWER_TEXT_ONLY))
    message_id = fields.get("MsgId", "")
    if not message_id or not sender:
        raise CallbackError("invalid_payload", 400)
    result = inbound.receive_text(
        integration=integration,
        incoming=inbound.IncomingText(message_id, sender, "", fields.get("Content", "")),
    )
    return _wecom_answer(crypto, integration, sender, result.answer)


def _wecom_answer(
    crypto: signatures.WeComCrypto, integration: ImIntegration, to_user: str, text: str
) -> HttpResponse:
    plain = signatures.wecom_text_reply(to_user, integration.app_id, text)
    reply = crypto.reply_xml(plain, str(int(time.time())), secrets.token_hex(8))
    return HttpResponse(reply, content_type="application/xml; charset=utf-8")


# ---------------------------------------------------------------- Feishu


def _feishu_token_ok(integration: ImIntegration, token: Any) -> None:
    if not integration.callback_token:
        raise CallbackError("not_configured", 403)
    if not isinstance(token, str) or not signatures.constant_time_equal(token, integration.callback_token):
        raise CallbackError("invalid_token", 403)


@_callback
@require_http_methods(["POST"])
def feishu_callback(request: HttpRequest, integration_id: int) -> HttpResponse:
    """Feishu event subscription: URL verification challenge and im.message.receive_v1 events."""
    integration = _integration(Platform.FEISHU, integration_id)
    body = _body(request)
    data = _json(body)
    signature = request.headers.get("X-Lark-Signature")
    if integration.encrypt_key:
        if signature is not None:
            signatures.verify_feishu_signature(
                integration.encrypt_key,
                request.headers.get("X-Lark-Request-Timestamp"),
                request.headers.get("X-Lark-Request-Nonce"),
                signature,
                body,
            )
        if not isinstance(data.get("encrypt"), str):
            raise CallbackError("invalid_payload", 400)
        data = _json(signatures.feishu_decrypt(integration.encrypt_key, data["encrypt"]).encode())
        if signature is None and data.get("type") != "url_verification":
            raise CallbackError("invalid_signature", 401)  # only the URL check comes unsigned
    if data.get("type") == "url_verification":
        _feishu_token_ok(integration, data.get("token"))
        return JsonResponse({"challenge": str(data.get("challenge", ""))})
    header = data.get("header") if isinstance(data.get("header"), dict) else {}
    _feishu_token_ok(integration, header.get("token") if header else data.get("token"))
    event = data.get("event") if isinstance(data.get("event"), dict) else {}
    if header.get("event_type") != "im.message.receive_v1":
        return JsonResponse({})
    message = event.get("message") or {}
    sender = event.get("sender") or {}
    if sender.get("sender_type") == "app":
        return JsonResponse({})
    open_id = str((sender.get("sender_id") or {}).get("open_id") or "")
    message_id = str(message.get("message_id") or "")
    if not open_id or not message_id:
        raise CallbackError("invalid_payload", 400)
    if message.get("message_type") != "text":
        answer, ticket_id, duplicate = inbound.bilingual(ANSWER_TEXT_ONLY), None, False
    else:
        try:
            text = json.loads(message.get("content") or "{}").get("text", "")
        except (ValueError, AttributeError):
            raise CallbackError("invalid_payload", 400) from None
        result = inbound.receive_text(
            integration=integration, incoming=inbound.IncomingText(message_id, open_id, "", str(text))
        )
        answer, duplicate = result.answer, result.duplicate
        ticket_id = result.ticket.pk if result.ticket else None
    if not duplicate:
        outbound.queue_reply(
            integration=integration,
            message_id=message_id,
            context={"message_id": message_id},
            text=answer,
            ticket_id=ticket_id,
        )
    return JsonResponse({})


# ---------------------------------------------------------------- Slack


@_callback
@require_http_methods(["POST"])
def slack_callback(request: HttpRequest, integration_id: int) -> HttpResponse:
    """Slack Events API: url_verification, and messages to the bot (direct messages and mentions)."""
    integration = _integration(Platform.SLACK, integration_id)
    body = _body(request)
    signatures.verify_slack(
        integration.signing_secret,
        request.headers.get("X-Slack-Request-Timestamp"),
        request.headers.get("X-Slack-Signature"),
        body,
    )
    data = _json(body)
    if data.get("type") == "url_verification":
        return JsonResponse({"challenge": str(data.get("challenge", ""))})
    event = data.get("event") if isinstance(data.get("event"), dict) else {}
    if data.get("type") != "event_callback" or not _slack_is_for_us(event):
        return JsonResponse({})
    channel, ts, user = (
        str(event.get("channel") or ""),
        str(event.get("ts") or ""),
        str(event.get("user") or ""),
    )
    if not (channel and ts and user):
        raise CallbackError("invalid_payload", 400)
    # channel:ts names one message, so a mention delivered as "message" and "app_mention" counts once.
    message_id = f"{channel}:{ts}"
    result = inbound.receive_text(
        integration=integration,
        incoming=inbound.IncomingText(message_id, user, "", str(event.get("text") or "")),
    )
    if not result.duplicate:
        outbound.queue_reply(
            integration=integration,
            message_id=message_id,
            context={"channel": channel, "thread_ts": str(event.get("thread_ts") or ts)},
            text=result.answer,
            ticket_id=result.ticket.pk if result.ticket else None,
        )
    return JsonResponse({})


def _slack_is_for_us(event: dict[str, Any]) -> bool:
    """A person's message to the bot: a mention anywhere, or a direct message; never a bot's own."""
    if event.get("bot_id") or event.get("subtype"):
        return False
    if event.get("type") == "app_mention":
        return True
    return event.get("type") == "message" and event.get("channel_type") == "im"
