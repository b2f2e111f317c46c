"""The forms ComplaintDesk ships with (通用投诉, 产品质量投诉, 物流配送投诉, 服务态度投诉, 现场服务).

Each JSON file holds ``{"form": {settings}, "schema": {...}}``. Migration ``forms.0002`` publishes
them as version 1; a test validates every schema with the publish validator, so the migration can
insert them as they are.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SHIPPED_FORM_FILES = ("general", "product_quality", "logistics", "service_attitude", "onsite_service")


def load_shipped_forms() -> list[dict[str, Any]]:
    folder = Path(__file__).resolve().parent
    return [json.loads((folder / f"{name}.json").read_text(encoding="utf-8")) for name in SHIPPED_FORM_FILES]
