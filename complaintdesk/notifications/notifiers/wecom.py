"""WeCom group robot (企业微信群机器人): JSON POSTed to ``{base_url}?key=...``.

The key in the URL is the robot's only credential, so it is stored sealed like any secret.
Markdown content is limited to 4096 bytes and text to 2048 bytes by WeCom; longer messages are cut.
"""

from __future__ import annotations

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

DEFAULT_BASE_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"


def _cut_bytes(text: str, limit: int) -> str:
    raw = text.encode("utf-8")
    return text if len(raw) <= limit else raw[:limit].decode("utf-8", "ignore")


class WeComNotifier(Notifier):
    kind = "wecom"
    config_keys: ClassVar[frozenset[str]] = frozenset({"base_url", "msgtype", "mentioned_mobile_list"})
    secret_keys: ClassVar[frozenset[str]] = frozenset({"key"})
    required_secrets: ClassVar[frozenset[str]] = frozenset({"key"})

    @classmethod
    def validate(cls, config: dict[str, Any], secret_names: set[str]) -> dict[str, str]:
        problems = super().validate(config, secret_names)
        if "base_url" in config and (err := check_http_url(config["base_url"])):
            problems["config.base_url"] = err
        if config.get("msgtype", "markdown") not in ("markdown", "text"):
            problems["config.msgtype"] = "markdown 或 text / markdown or text"
        mobiles = config.get("mentioned_mobile_list", [])
        if not isinstance(mobiles, list) or not all(isinstance(m, str) and len(m) <= 20 for m in mobiles):
            problems["config.mentioned_mobile_list"] = "手机号列表 / A list of mobile numbers"
        return problems

    def target(self) -> str:
        return str(self.config.get("base_url") or DEFAULT_BASE_URL)

    def payload(self, message: Message) -> dict[str, Any]:
        if self.config.get("msgtype", "markdown") == "text":
            text = f"{message.subject}\n{message.body}" if message.subject else message.body
            return {"msgtype": "text", "text": {
                "content": _cut_bytes(text, 2048),
                "mentioned_mobile_list": list(self.config.get("mentioned_mobile_list", [])),
            }}
        return {"msgtype": "markdown", "markdown": {"content": _cut_bytes(message.body, 4096)}}

    def send(self, message: Message) -> SendResult:
        url = f"{self.target()}?{urlencode({'key': self.secrets.get('key', '')}, quote_via=quote_plus)}"
        status, text, error = post_json(url, dumps(self.payload(message)))
        return robot_result(status, text, error)
