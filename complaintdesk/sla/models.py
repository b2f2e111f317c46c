"""Business calendars (working hours, China's holidays and make-up workdays), SLA policies and per-ticket clocks."""

from __future__ import annotations
