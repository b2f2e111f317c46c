"""REST endpoints of the improvement app."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["improvement"])
