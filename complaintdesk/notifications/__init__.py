"""Notification templates, channels out (in-app, email, DingTalk, WeCom, webhooks) and the delivery log."""
