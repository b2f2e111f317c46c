"""Generic webhooks: the event as JSON, signed with HMAC-SHA256 over the timestamp and the body.

Body: ``{"id": <delivery id>, "event": "ticket.created", "occurred_at": "<ISO 8601>", "data": {...}}``.
Headers: ``X-ComplaintDesk-Event``, ``X-ComplaintDesk-Delivery`` (the same on every retry: receivers
deduplicate on it), ``X-ComplaintDesk-Timestamp`` (Unix seconds, wall clock at sending) and
``X-ComplaintDesk-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>``.
Any 2xx answer is success.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any, ClassVar

from complaintdesk.notifications.notifiers.base import Message, Notifier, SendResult, check_http_url, dumps, post_json


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class WebhookNotifier(Notifier):
    kind = "webhook"
    config_keys: ClassVar[frozenset[str]] = frozenset({"url"})
    secret_keys: ClassVar[frozenset[str]] = frozenset({"secret"})

    @classmethod
    def validate(cls, config: dict[str, Any], secret_names: set[str]) -> dict[str, str]:
        problems = super().validate(config, secret_names)
        if err := check_http_url(config.get("url")):
            problems["url"] = err
        return problems

    def target(self) -> str:
        return str(self.config["url"])

    def body(self, message: Message) -> bytes:
        return dumps({"id": message.delivery_id, "event": message.event, "occurred_at": message.occurred_at,
                      "data": message.data})

    def send(self, message: Message) -> SendResult:
        body = self.body(message)
        timestamp = str(int(time.time()))
        headers = {
            "X-ComplaintDesk-Event": message.event,
            "X-ComplaintDesk-Delivery": message.delivery_id,
            "X-ComplaintDesk-Timestamp": timestamp,
        }
        secret = self.secrets.get("secret", "")
        if secret:
            headers["X-ComplaintDesk-Signature"] = webhook_signature(secret, timestamp, body)
        status, text, error = post_json(self.target(), body, headers)
        if status is not None and 200 <= status < 300:
            return SendResult(ok=True, response_code=status)
        return SendResult(ok=False, response_code=status, error=(error or f"HTTP {status}") + f" {text[:200]}".rstrip())
