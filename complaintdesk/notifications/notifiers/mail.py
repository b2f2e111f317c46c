"""Email over SMTP through Django's SMTP backend.

The server comes from the channel's own settings when it has them, else from CD_SMTP_* (Django's
EMAIL_HOST, EMAIL_PORT ...). The SMTP backend is named explicitly: the test runner swaps Django's
default backend for an in-memory one, and the tests talk to a real SMTP server instead.
``Message-ID`` is derived from the delivery id, so a retried message is recognisable as the same one.
"""

from __future__ import annotations

import smtplib
from typing import Any, ClassVar

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email

from complaintdesk.notifications.notifiers.base import Message, NotConfigured, Notifier, SendResult

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def _valid_email(value: Any) -> bool:
    try:
        validate_email(value)
    except Exception:
        return False
    return True


class EmailNotifier(Notifier):
    kind = "email"
    config_keys: ClassVar[frozenset[str]] = frozenset({"to", "from_email", "host", "port", "username", "use_tls"})
    secret_keys: ClassVar[frozenset[str]] = frozenset({"password"})

    @classmethod
    def validate(cls, config: dict[str, Any], secret_names: set[str]) -> dict[str, str]:
        problems = super().validate(config, secret_names)
        to = config.get("to", [])
        if not isinstance(to, list) or len(to) > 100 or not all(isinstance(a, str) and _valid_email(a) for a in to):
            problems["config.to"] = "邮箱地址列表 / A list of email addresses"
        sender = config.get("from_email")
        if sender is not None and not (isinstance(sender, str) and _valid_email(sender)):
            problems["config.from_email"] = "邮箱地址 / An email address"
        if "host" in config and not (isinstance(config["host"], str) and 0 < len(config["host"]) <= 255):
            problems["config.host"] = "主机名 / A host name"
        port = config.get("port", 25)
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            problems["config.port"] = "1..65535"
        if not isinstance(config.get("username", ""), str) or len(config.get("username", "")) > 200:
            problems["config.username"] = "文本 / Text"
        if not isinstance(config.get("use_tls", False), bool):
            problems["config.use_tls"] = "布尔值 / A boolean"
        return problems

    def _server(self) -> dict[str, Any]:
        if self.config.get("host"):
            return {"host": self.config["host"], "port": int(self.config.get("port", 25)),
                    "username": self.config.get("username", ""), "password": self.secrets.get("password", ""),
                    "use_tls": bool(self.config.get("use_tls", False))}
        return {"host": settings.EMAIL_HOST, "port": settings.EMAIL_PORT, "username": settings.EMAIL_HOST_USER,
                "password": settings.EMAIL_HOST_PASSWORD, "use_tls": settings.EMAIL_USE_TLS}

    def target(self) -> str:
        return ", ".join(self.config.get("to", []))

    def send(self, message: Message) -> SendResult:
        server = self._server()
        if not server["host"]:
            raise NotConfigured("未配置 SMTP 服务器 / No SMTP server configured (CD_SMTP_HOST)")
        recipients = message.to or list(self.config.get("to", []))
        if not recipients:
            return SendResult(ok=False, error="没有收件人 / No recipients", permanent=True)
        connection = get_connection(SMTP_BACKEND, fail_silently=False, timeout=settings.EMAIL_TIMEOUT, **server)
        mail = EmailMessage(
            subject=message.subject or "ComplaintDesk", body=message.body,
            from_email=self.config.get("from_email") or settings.DEFAULT_FROM_EMAIL, to=recipients,
            connection=connection,
            headers={"Message-ID": f"<{message.delivery_id}@complaintdesk>",
                     "X-ComplaintDesk-Delivery": message.delivery_id,
                     "X-ComplaintDesk-Event": message.event},
        )
        try:
            mail.send()
        except smtplib.SMTPResponseException as exc:
            # 5xx is a permanent refusal (unknown mailbox, authentication); 4xx is worth a retry.
            return SendResult(ok=False, response_code=exc.smtp_code, error=f"SMTP {exc.smtp_code}: {exc.smtp_error!r}",
                              permanent=500 <= exc.smtp_code < 600)
        except smtplib.SMTPRecipientsRefused as exc:
            return SendResult(ok=False, error=f"recipients refused: {sorted(exc.recipients)}", permanent=True)
        except (smtplib.SMTPException, OSError) as exc:
            return SendResult(ok=False, error=f"{type(exc).__name__}: {exc}")
        return SendResult(ok=True, response_code=250)
