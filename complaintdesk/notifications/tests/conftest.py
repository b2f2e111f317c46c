"""Real local peers for the notification tests: an SMTP server (aiosmtpd) and an HTTP server that
checks DingTalk, WeCom and webhook signatures the way those receivers do."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message as EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlsplit

import pytest
from aiosmtpd.controller import Controller

from complaintdesk.core.outbox import deliver_due as deliver_outbox
from complaintdesk.notifications.delivery import deliver_due as deliver_notifications

# aiosmtpd logs every connection at INFO from its own thread, sometimes after pytest has closed the
# captured stream ("--- Logging error ---" in the output); its warnings and errors still show.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- SMTP -----------------------------------------------------------------------------------


@dataclass
class Mailbox:
    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # the aiosmtpd hook
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def bodies(self) -> list[str]:
        return [str(msg.get_content()) for _, _, msg in self.messages]  # type: ignore[attr-defined]


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Mailbox]:
    """A real SMTP server on a free port; CD_SMTP_HOST/PORT point at it for the test."""
    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.DEFAULT_FROM_EMAIL = "service@example.com"
    try:
        yield mailbox
    finally:
        controller.stop()


# --- HTTP receivers -------------------------------------------------------------------------

DINGTALK_TOKEN = "dt-access-token"
DINGTALK_SECRET = "SECdingtalk-signing-secret"
WECOM_KEY = "wecom-robot-key"
WEBHOOK_SECRET = "whsec-test-secret"


@dataclass
class Received:
    path: str
    query: dict[str, list[str]]
    raw_query: str
    headers: dict[str, str]
    body: bytes
    verified: bool
    problem: str

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Records every request; answers from ``script`` (a list of HTTP statuses, the last repeats)."""

    url: str
    requests: list[Received] = field(default_factory=list)
    script: list[int] = field(default_factory=lambda: [200])
    dingtalk_secret: str = DINGTALK_SECRET
    webhook_secret: str = WEBHOOK_SECRET

    def next_status(self) -> int:
        return self.script.pop(0) if len(self.script) > 1 else self.script[0]

    @property
    def verified(self) -> list[Received]:
        return [r for r in self.requests if r.verified]


def _check_dingtalk(receiver: Receiver, query: dict[str, list[str]], raw_query: str) -> str:
    """DingTalk's checks: the token, a timestamp within one hour of now, and the signature."""
    if query.get("access_token") != [DINGTALK_TOKEN]:
        return "bad access_token"
    timestamp = query.get("timestamp", [""])[0]
    if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 3600 * 1000:
        return "timestamp out of range"
    secret = receiver.dingtalk_secret
    expected = base64.b64encode(hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(),
                                         hashlib.sha256).digest()).decode()
    if f"sign={quote_plus(expected)}" not in raw_query.split("&"):
        return "sign mismatch"
    return ""


def _check_webhook(receiver: Receiver, headers: dict[str, str], body: bytes) -> str:
    """What a receiver following docs/notifications.md does."""
    timestamp = headers.get("x-complaintdesk-timestamp", "")
    signature = headers.get("x-complaintdesk-signature", "")
    if not timestamp.isdigit() or abs(int(timestamp) - time.time()) > 300:
        return "timestamp out of range"
    expected = "sha256=" + hmac.new(receiver.webhook_secret.encode(), timestamp.encode() + b"." + body,
                                    hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return "signature mismatch"
    if not headers.get("x-complaintdesk-delivery") or not headers.get("x-complaintdesk-event"):
        return "missing headers"
    return ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    port = _free_port()
    state = Receiver(url=f"http://127.0.0.1:{port}")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:  # the http.server hook
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            headers = {k.lower(): v for k, v in self.headers.items()}
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if parts.path == "/robot/send":
                problem = _check_dingtalk(state, query, parts.query)
                robot = True
            elif parts.path == "/cgi-bin/webhook/send":
                problem = "" if query.get("key") == [WECOM_KEY] else "invalid webhook key"
                robot = True
            else:
                problem = _check_webhook(state, headers, body)
                robot = False
            try:
                json.loads(body)
            except ValueError:
                problem = problem or "body is not JSON"
            state.requests.append(Received(parts.path, query, parts.query, headers, body, not problem, problem))
            status = state.next_status()
            if robot:
                # Both robots answer 200 with an errcode (310000: DingTalk's "sign not match").
                answer = {"errcode": 0, "errmsg": "ok"} if not problem else {"errcode": 310000, "errmsg": problem}
                if status != 200:
                    answer = {"errcode": -1, "errmsg": "system busy"}
                raw = json.dumps(answer).encode()
            else:
                status = status if not problem else 401
                raw = b'{"ok": true}' if status < 300 else json.dumps({"error": problem or "down"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def run_jobs() -> None:
    """What the job consumer does: hand outbox rows to handlers, then send due deliveries."""
    deliver_outbox()
    deliver_notifications()
