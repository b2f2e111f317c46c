"""Channels out: a small ``Notifier`` base class and one module per provider (STYLE.md rule 9).

A notifier is built from a channel's plain ``config`` and its opened ``secrets`` and sends one
``Message``; it answers a ``SendResult`` rather than raising for a refusal by the receiver, so the
delivery log records the response code and the error. ``NotConfigured`` means there is nothing to
send with (no SMTP server set): the delivery is recorded as skipped, never as sent.
"""

from __future__ import annotations

from complaintdesk.notifications.notifiers.base import Message, NotConfigured, Notifier, SendResult
from complaintdesk.notifications.notifiers.dingtalk import DingTalkNotifier
from complaintdesk.notifications.notifiers.mail import EmailNotifier
from complaintdesk.notifications.notifiers.webhook import WebhookNotifier
from complaintdesk.notifications.notifiers.wecom import WeComNotifier

NOTIFIERS: dict[str, type[Notifier]] = {
    n.kind: n for n in (EmailNotifier, DingTalkNotifier, WeComNotifier, WebhookNotifier)
}


def get_notifier_class(kind: str) -> type[Notifier]:
    return NOTIFIERS[kind]


__all__ = ["NOTIFIERS", "Message", "NotConfigured", "Notifier", "SendResult", "get_notifier_class"]
