from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run a job consumer (huey): outbox delivery and periodic jobs."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workers", type=int, default=None, help="consumer threads")
        parser.add_argument("--no-periodic", action="store_true",
                            help="do not run the periodic schedule (run it on exactly one consumer)")

    def handle(self, *args: Any, **options: Any) -> None:
        argv: list[str] = []
        if options["workers"]:
            argv += ["--workers", str(options["workers"])]
        if options["no_periodic"]:
            argv += ["--no-periodic"]
        call_command("run_huey", *argv)
