"""REST endpoints of the workflows app."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["workflows"])
