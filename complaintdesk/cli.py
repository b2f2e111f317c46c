"""The ``complaintdesk`` command: serve, worker, migrate, demo, createadmin, token, and every
Django management command."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "complaintdesk.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        args = ["help", "--commands"]
    execute_from_command_line(["complaintdesk", *args])


if __name__ == "__main__":
    main()
