"""Choices of the notifications app."""

from __future__ import annotations

from django.db import models


class ChannelKind(models.TextChoices):
    """How a message leaves ComplaintDesk (one ``Notifier`` module per kind)."""

    EMAIL = "email", "邮件"
    DINGTALK = "dingtalk", "钉钉群机器人"
    WECOM = "wecom", "企业微信群机器人"
    WEBHOOK = "webhook", "Webhook"
    IN_APP = "in_app", "站内通知"
    NONE = "none", "无可用渠道"  # recorded when nothing can reach the recipient (never sent)


# The kinds an administrator configures as a NotificationChannel (webhooks are WebhookSubscriptions,
# in-app notifications need no configuration).
CONFIGURABLE_KINDS = (ChannelKind.EMAIL, ChannelKind.DINGTALK, ChannelKind.WECOM)


class TemplateChannel(models.TextChoices):
    """The channel a template is written for; ``any`` serves every channel without its own version."""

    ANY = "any", "通用"
    EMAIL = "email", "邮件"
    DINGTALK = "dingtalk", "钉钉"
    WECOM = "wecom", "企业微信"
    IN_APP = "in_app", "站内通知"


class Locale(models.TextChoices):
    ZH_CN = "zh-CN", "简体中文"
    EN = "en", "English"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "失败待重试"
    GAVE_UP = "gave_up", "已放弃"
    SKIPPED = "skipped", "未发送（无可用渠道）"


class DeliveryPurpose(models.TextChoices):
    """Why a delivery exists (the delivery log filters by it)."""

    SUBSCRIPTION = "subscription", "订阅规则"
    WEBHOOK = "webhook", "Webhook 订阅"
    CUSTOMER_ACK = "customer_ack", "受理回执"
    CUSTOMER_REPLY = "customer_reply", "客户回复"
    RULE = "rule", "规则动作"
    TEST = "test", "测试消息"
