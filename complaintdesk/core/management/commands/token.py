from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from complaintdesk.accounts.actions import do_create_api_token
from complaintdesk.accounts.models import User
from complaintdesk.core.context import via


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it alone on the last line."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="a name to recognise the token by")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        if not user.is_active:
            raise CommandError(f"user {options['username']!r} is deactivated")
        with via("cli"):
            token, secret = do_create_api_token(user=user, name=options["name"], actor=None)
        self.stderr.write(f"token #{token.pk} '{token.name}' for {user.username}:")
        self.stdout.write(secret)
