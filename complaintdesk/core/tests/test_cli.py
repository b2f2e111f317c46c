"""Management commands: ``token`` and ``createadmin`` (also through the ``complaintdesk`` entry point)."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.test import Client

from complaintdesk import cli
from complaintdesk.accounts.actions import authenticate_token, do_update_user
from complaintdesk.accounts.models import ApiToken, User
from complaintdesk.core.models import AuditLog

ADMIN_LINE = re.compile(r"^admin login: (\S+) / (\S+)$")


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# --- token --------------------------------------------------------------------------------


def test_token_prints_the_secret_alone_on_the_last_line(org):
    out, err = run("token", "agent_a")
    secret = out.strip().splitlines()[-1]
    assert re.fullmatch(r"cd_[A-Za-z0-9_\-]{40,}", secret), out
    assert secret not in err
    assert "agent_a" in err
    assert authenticate_token(secret) == org.agent_a
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert response.json()["username"] == "agent_a"
    token = ApiToken.objects.filter(user=org.agent_a).latest("id")
    assert token.name == "cli"
    assert AuditLog.objects.filter(action="token.created", object_id=str(token.pk)).exists()


def test_token_with_a_name(org):
    out, _ = run("token", "handler", "--name", "ERP sync")
    secret = out.strip().splitlines()[-1]
    token = ApiToken.objects.filter(user=org.handler).latest("id")
    assert token.name == "ERP sync"
    assert token.prefix == secret[3:11]


def test_token_for_unknown_user_fails(db):
    with pytest.raises(CommandError, match="ghost"):
        run("token", "ghost")
    assert not ApiToken.objects.exists()


def test_token_for_deactivated_user_fails(org):
    do_update_user(org.agent_b, is_active=False, actor=None)
    before = ApiToken.objects.count()
    with pytest.raises(CommandError, match="deactivated"):
        run("token", "agent_b")
    assert ApiToken.objects.count() == before


def test_complaintdesk_entry_point_runs_token(org, capsys, monkeypatch):
    # run_from_argv closes every connection when done, which would end the test's transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    cli.main(["token", "quality"])
    captured = capsys.readouterr()
    secret = captured.out.strip().splitlines()[-1]
    assert authenticate_token(secret) == org.quality


# --- createadmin --------------------------------------------------------------------------


def _credentials(out: str) -> tuple[str, str]:
    match = ADMIN_LINE.match(out.strip().splitlines()[-1])
    assert match, out
    return match.group(1), match.group(2)


def test_createadmin_creates_a_superuser_and_prints_credentials(db):
    out, _ = run("createadmin")
    username, password = _credentials(out)
    assert username == "admin"
    assert len(password) >= 12
    user = User.objects.get(username="admin")
    assert user.is_superuser and user.is_staff and user.is_active
    assert user.check_password(password)
    assert list(user.roles.values_list("key", flat=True)) == ["admin"]
    # The printed credentials sign in through the API.
    client = Client()
    login = client.post("/api/v1/auth/login", {"username": username, "password": password},
                        content_type="application/json")
    assert login.status_code == 200, login.content
    assert login.json()["is_superuser"] is True


def test_createadmin_again_resets_the_password(db):
    _, first = _credentials(run("createadmin", "--username", "root")[0])
    _, second = _credentials(run("createadmin", "--username", "root")[0])
    assert first != second
    assert User.objects.filter(username="root").count() == 1
    user = User.objects.get(username="root")
    assert user.check_password(second)
    assert not user.check_password(first)
    assert AuditLog.objects.filter(action="user.password_set", object_id=str(user.pk)).count() == 1


def test_createadmin_with_a_given_password_reactivates(db):
    run("createadmin", "--username", "boss", "--password", "Adm1n-passw0rd!")
    user = User.objects.get(username="boss")
    do_update_user(user, is_active=False, actor=None)
    out, _ = run("createadmin", "--username", "boss", "--password", "Adm1n-passw0rd-2!")
    assert _credentials(out) == ("boss", "Adm1n-passw0rd-2!")
    user.refresh_from_db()
    assert user.is_active
    assert user.check_password("Adm1n-passw0rd-2!")
