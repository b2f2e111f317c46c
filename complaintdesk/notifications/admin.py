from django.contrib import admin

from complaintdesk.notifications.models import (
    Notification,
    NotificationChannel,
    NotificationDelivery,
    NotificationRule,
    NotificationTemplate,
    WebhookSubscription,
)


@admin.register(NotificationChannel)
class NotificationChannelAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "is_active", "updated_at")
    exclude = ("secrets",)  # sealed; set through the API


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "enabled", "consecutive_failures", "disabled_reason")
    exclude = ("secret",)


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    list_display = ("key", "channel_kind", "locale", "event", "is_system")
    list_filter = ("channel_kind", "locale")


@admin.register(NotificationRule)
class NotificationRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "event_pattern", "channel", "template_key", "is_active")


@admin.register(NotificationDelivery)
class NotificationDeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel_kind", "target", "event", "status", "attempts", "response_code")
    list_filter = ("status", "channel_kind", "purpose")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "kind", "title", "read_at")
