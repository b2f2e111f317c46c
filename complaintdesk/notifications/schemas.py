"""Request and response schemas of the notifications API. Secrets are write-only: inputs accept
them, outputs only list which are set."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Schema

from complaintdesk.core.schemas import PageMeta

Secret = Annotated[str, Field(max_length=500)]
Pattern = Annotated[str, Field(min_length=1, max_length=100)]


class TicketBrief(Schema):
    id: int
    number: str
    subject: str


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    ticket: TicketBrief | None
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class NotificationPage(PageMeta):
    items: list[NotificationOut]


class CountOut(Schema):
    count: int


class ChannelIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    kind: str = Field(..., max_length=16, description="email / dingtalk / wecom")
    config: dict[str, Any] = Field({}, description="Plain settings: base_url, msgtype, to, host ... "
                                                   "(docs/notifications.md)")
    secrets: dict[Annotated[str, Field(max_length=50)], Secret] = Field(
        {}, description="Write-only: access_token, secret (DingTalk), key (WeCom), password (SMTP)")
    is_active: bool = True


class ChannelPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    config: dict[str, Any] | None = None
    secrets: dict[Annotated[str, Field(max_length=50)], Secret] | None = Field(
        None, description="A value replaces that secret, \"\" removes it, an absent key keeps it")
    is_active: bool | None = None


class ChannelOut(Schema):
    id: int
    name: str
    kind: str
    config: dict[str, Any]
    secrets_set: list[str]
    is_active: bool
    created_at: datetime
    updated_at: datetime


class DeliveryOut(Schema):
    id: int
    delivery_id: str
    purpose: str
    channel_kind: str
    channel_id: int | None
    webhook_id: int | None
    target: str
    template_key: str
    locale: str
    event: str
    ticket: TicketBrief | None
    payload: dict[str, Any] = Field(description="The event data sent (a webhook's body `data`; the template's "
                                                "`event.*` values)")
    subject: str
    body: str
    status: str
    attempts: int
    last_error: str
    response_code: int | None
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None


class DeliveryPage(PageMeta):
    items: list[DeliveryOut]


class TestResultOut(Schema):
    ok: bool
    response_code: int | None
    error: str
    delivery: DeliveryOut


class TemplateIn(Schema):
    key: str = Field(..., min_length=1, max_length=64, pattern=r"^[-a-zA-Z0-9_]+$")
    event: str = Field("", max_length=100)
    channel_kind: str = Field("any", max_length=16)
    locale: str = Field("zh-CN", max_length=8)
    subject: str = Field("", max_length=300)
    body: str = Field(..., min_length=1, max_length=20000)


class TemplatePatch(Schema):
    key: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[-a-zA-Z0-9_]+$")
    event: str | None = Field(None, max_length=100)
    channel_kind: str | None = Field(None, max_length=16)
    locale: str | None = Field(None, max_length=8)
    subject: str | None = Field(None, max_length=300)
    body: str | None = Field(None, min_length=1, max_length=20000)


class TemplateOut(Schema):
    id: int
    key: str
    event: str
    channel_kind: str
    locale: str
    subject: str
    body: str
    is_system: bool
    updated_at: datetime


class TemplatePreviewIn(Schema):
    ticket_id: int | None = None
    event: str = Field("", max_length=100)
    payload: dict[str, Any] = {}


class TemplatePreviewOut(Schema):
    subject: str
    body: str


class NotificationRuleIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    event_pattern: Pattern
    channel_id: int
    template_key: str = Field(..., min_length=1, max_length=64)
    locale: str = Field("zh-CN", max_length=8)
    is_active: bool = True


class NotificationRulePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    event_pattern: Pattern | None = None
    channel_id: int | None = None
    template_key: str | None = Field(None, min_length=1, max_length=64)
    locale: str | None = Field(None, max_length=8)
    is_active: bool | None = None


class NotificationRuleOut(Schema):
    id: int
    name: str
    event_pattern: str
    channel_id: int
    channel_name: str
    template_key: str
    locale: str
    is_active: bool
    created_at: datetime
    updated_at: datetime


class WebhookIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    url: str = Field(..., min_length=1, max_length=500)
    secret: Secret = Field("", description="Write-only signing secret")
    event_patterns: list[Pattern] = Field(..., min_length=1, max_length=20)
    enabled: bool = True


class WebhookPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    url: str | None = Field(None, min_length=1, max_length=500)
    secret: Secret | None = Field(None, description="Write-only; \"\" removes it")
    event_patterns: list[Pattern] | None = Field(None, min_length=1, max_length=20)
    enabled: bool | None = Field(None, description="false: stop delivering (reason: disabled by an administrator)")


class WebhookOut(Schema):
    id: int
    name: str
    url: str
    secret_set: bool
    event_patterns: list[str]
    enabled: bool
    disabled_reason: str
    disabled_at: datetime | None
    consecutive_failures: int
    created_at: datetime
    updated_at: datetime
