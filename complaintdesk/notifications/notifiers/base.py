"""The base class of notifiers and the small HTTP helper the robot and webhook notifiers share."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlsplit

HTTP_TIMEOUT_SECONDS = 10
MAX_RESPONSE_BYTES = 64 * 1024


@dataclass
class Message:
    """What to send. ``delivery_id`` stays the same across retries (the receiver's idempotency id)."""

    subject: str
    body: str
    event: str = ""
    delivery_id: str = ""
    occurred_at: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    to: list[str] = field(default_factory=list)  # email: overrides the channel's recipients


@dataclass
class SendResult:
    ok: bool
    response_code: int | None = None
    error: str = ""
    # A refusal that retrying cannot fix (bad credentials, malformed request): give up at once.
    permanent: bool = False


class NotConfigured(Exception):
    """Nothing to send with (e.g. no SMTP server configured); the delivery is recorded as skipped."""


class Notifier:
    """One provider. Subclasses declare their ``config_keys`` / ``secret_keys`` and implement ``send``."""

    kind: ClassVar[str]
    config_keys: ClassVar[frozenset[str]] = frozenset()
    secret_keys: ClassVar[frozenset[str]] = frozenset()
    required_secrets: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, config: dict[str, Any], secrets: dict[str, str]) -> None:
        self.config = config
        self.secrets = secrets

    @classmethod
    def validate(cls, config: dict[str, Any], secret_names: set[str]) -> dict[str, str]:
        """Problems with a configuration, by field (bilingual); empty when it can be used."""
        problems: dict[str, str] = {}
        for key in sorted(set(config) - cls.config_keys):
            problems[f"config.{key}"] = f"未知配置项 / Unknown setting (allowed: {sorted(cls.config_keys)})"
        for key in sorted(cls.required_secrets - secret_names):
            problems[f"secrets.{key}"] = "必填 / Required"
        return problems

    def target(self) -> str:
        """Where messages go, for the delivery log (never a secret)."""
        raise NotImplementedError

    def send(self, message: Message) -> SendResult:
        raise NotImplementedError


def check_http_url(value: Any) -> str | None:
    """An error message when ``value`` is not an absolute http(s) URL."""
    if not isinstance(value, str) or len(value) > 500:
        return "须为 http(s) 地址 / Must be an http(s) URL"
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return "须为 http(s) 地址 / Must be an http(s) URL"
    return None


def post_json(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int | None, str, str]:
    """POST ``body`` (JSON) and answer ``(status, response text, transport error)``.

    The standard library is enough here, and keeps the notifiers free of extra dependencies.
    """
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": "ComplaintDesk-Notifier/1",
        **(headers or {}),
    })
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:
            return response.status, response.read(MAX_RESPONSE_BYTES).decode("utf-8", "replace"), ""
    except urllib.error.HTTPError as exc:
        text = exc.read(MAX_RESPONSE_BYTES).decode("utf-8", "replace") if exc.fp else ""
        return exc.code, text, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, "", f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"


def robot_result(status: int | None, text: str, error: str) -> SendResult:
    """DingTalk and WeCom robots answer HTTP 200 with ``{"errcode": 0, "errmsg": "ok"}`` on success."""
    if error or status is None:
        return SendResult(ok=False, response_code=status, error=f"{error or 'no response'} {text[:200]}".strip())
    try:
        answer = json.loads(text)
    except ValueError:
        return SendResult(ok=False, response_code=status, error=f"not JSON: {text[:200]}")
    code = answer.get("errcode") if isinstance(answer, dict) else None
    if code == 0:
        return SendResult(ok=True, response_code=status)
    message = answer.get("errmsg", "") if isinstance(answer, dict) else ""
    # Signature, token and keyword errors (310000, 300001, 93000 ...) do not heal by retrying, but a
    # rate limit (130101 / 45009) does; we retry everything and let the backoff bound the cost.
    return SendResult(ok=False, response_code=status, error=f"errcode {code}: {message}"[:500])


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
