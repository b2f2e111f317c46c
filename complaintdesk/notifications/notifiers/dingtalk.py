"""DingTalk group robot (钉钉自定义机器人), signed-webhook security setting ("加签").

Protocol (open.dingtalk.com, 自定义机器人安全设置): ``timestamp`` is the current time in
milliseconds; ``sign = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")))``;
the message is POSTed as JSON to ``{base_url}?access_token=...&timestamp=...&sign=...``. DingTalk
refuses a timestamp more than an hour away from its own clock, so the wall clock is used here, not
the domain clock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any, ClassVar
from urllib.parse import quote_plus, urlencode

from complaintdesk.notifications.notifiers.base import (
    Message,
    Notifier,
    SendResult,
    check_http_url,
    dumps,
    post_json,
    robot_result,
)

DEFAULT_BASE_URL = "https://oapi.dingtalk.com/robot/send"
MAX_TEXT = 18000  # DingTalk's limit is 20000 bytes per message


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The ``sign`` query value (already URL-encoded by the caller's urlencode)."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


class DingTalkNotifier(Notifier):
    kind = "dingtalk"
    config_keys: ClassVar[frozenset[str]] = frozenset({"base_url", "msgtype", "at_mobiles", "at_all"})
    secret_keys: ClassVar[frozenset[str]] = frozenset({"access_token", "secret"})
    required_secrets: ClassVar[frozenset[str]] = frozenset({"access_token"})

    @classmethod
    def validate(cls, config: dict[str, Any], secret_names: set[str]) -> dict[str, str]:
        problems = super().validate(config, secret_names)
        if "base_url" in config and (err := check_http_url(config["base_url"])):
            problems["config.base_url"] = err
        if config.get("msgtype", "markdown") not in ("markdown", "text"):
            problems["config.msgtype"] = "markdown 或 text / markdown or text"
        mobiles = config.get("at_mobiles", [])
        if not isinstance(mobiles, list) or not all(isinstance(m, str) and len(m) <= 20 for m in mobiles):
            problems["config.at_mobiles"] = "手机号列表 / A list of mobile numbers"
        if not isinstance(config.get("at_all", False), bool):
            problems["config.at_all"] = "布尔值 / A boolean"
        return problems

    def target(self) -> str:
        return str(self.config.get("base_url") or DEFAULT_BASE_URL)

    def url(self, timestamp_ms: int) -> str:
        query: dict[str, str] = {"access_token": self.secrets.get("access_token", "")}
        secret = self.secrets.get("secret", "")
        if secret:
            query["timestamp"] = str(timestamp_ms)
            query["sign"] = dingtalk_sign(secret, timestamp_ms)
        return f"{self.target()}?{urlencode(query, quote_via=quote_plus)}"

    def payload(self, message: Message) -> dict[str, Any]:
        at = {"atMobiles": list(self.config.get("at_mobiles", [])), "isAtAll": bool(self.config.get("at_all"))}
        if self.config.get("msgtype", "markdown") == "text":
            text = f"{message.subject}\n{message.body}" if message.subject else message.body
            return {"msgtype": "text", "text": {"content": text[:MAX_TEXT]}, "at": at}
        title = message.subject or message.body.split("\n", 1)[0][:60] or "ComplaintDesk"
        return {"msgtype": "markdown", "markdown": {"title": title, "text": message.body[:MAX_TEXT]}, "at": at}

    def send(self, message: Message) -> SendResult:
        timestamp_ms = int(time.time() * 1000)
        status, text, error = post_json(self.url(timestamp_ms), dumps(self.payload(message)))
        return robot_result(status, text, error)
