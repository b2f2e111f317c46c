from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from complaintdesk.accounts.actions import do_create_user, do_set_password, do_update_user
from complaintdesk.accounts.models import Role, User
from complaintdesk.core.context import via
from complaintdesk.core.errors import DomainError


class Command(BaseCommand):
    help = "Create (or reset the password of) an administrator and print the credentials."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument("--password", default=None, help="default: a generated password")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or secrets.token_urlsafe(12)
        try:
            user = self._create_or_reset(options["username"], password)
        except DomainError as exc:
            raise CommandError(f"{exc.message} {exc.details or ''}".strip()) from exc
        self.stdout.write(f"admin login: {user.username} / {password}")

    def _create_or_reset(self, username: str, password: str) -> User:
        with via("cli"):
            user = User.objects.filter(username=username).first()
            if user is None:
                user = do_create_user(username=username, password=password, display_name="系统管理员",
                                      roles=list(Role.objects.filter(key="admin")), is_superuser=True, actor=None)
            else:
                do_set_password(user, password, actor=None)
                if not user.is_active:
                    do_update_user(user, actor=None, is_active=True)
        return user
