from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand


def render_openapi() -> str:
    """The OpenAPI document as committed in docs/openapi.json: stable key order so that a diff shows
    only real changes of the API, UTF-8 text kept readable (the summaries are partly Chinese)."""
    from complaintdesk.api import api

    return json.dumps(api.get_openapi_schema(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Write the OpenAPI document of /api/v1 to PATH ('-' for standard output)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", help="target file, e.g. docs/openapi.json; '-' prints it")

    def handle(self, *args: Any, **options: Any) -> None:
        text = render_openapi()
        if options["path"] == "-":
            self.stdout.write(text, ending="")
            return
        target = Path(options["path"])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        self.stderr.write(f"wrote {target} ({len(text.encode())} bytes)")
