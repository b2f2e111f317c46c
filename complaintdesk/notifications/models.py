"""Notification templates, channels out (in-app, email, DingTalk, WeCom, webhooks) and the delivery log."""

from __future__ import annotations
