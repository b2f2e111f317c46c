"""Accounts actions: access (permissions and data scope), users, departments, teams, roles, API tokens."""

from __future__ import annotations

import hashlib
import importlib.util
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password, identify_hasher, make_password

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import check_perm, forget_access, get_access, has_perm
from complaintdesk.accounts.actions import (
    TOKEN_PREFIX,
    authenticate_token,
    do_create_api_token,
    do_create_department,
    do_create_role,
    do_create_team,
    do_create_user,
    do_revoke_api_token,
    do_set_password,
    do_update_department,
    do_update_role,
    do_update_user,
    get_role,
)
from complaintdesk.accounts.models import ApiToken, Department, Role, Team, User
from complaintdesk.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from complaintdesk.core.models import AuditLog, Outbox

PASSWORD = "Test-passw0rd!"


def role_perms(key: str) -> set[str]:
    return set(Role.objects.get(key=key).permissions)


def make_user(username: str, *role_keys: str, **kwargs) -> User:
    roles = [Role.objects.get(key=k) for k in role_keys]
    return do_create_user(username=username, password=PASSWORD, roles=roles, actor=None, **kwargs)


def audit_rows(action: str, obj) -> list[AuditLog]:
    return list(AuditLog.objects.filter(action=action, object_type=obj._meta.model_name, object_id=str(obj.pk))
                .order_by("id"))


# --- access -------------------------------------------------------------------------------


def test_default_roles_are_seeded_with_the_declared_permissions(db):
    for template in P.DEFAULT_ROLES:
        role = Role.objects.get(key=template.key)
        assert set(role.permissions) == set(template.permissions)
        assert role.data_scope == template.data_scope
    assert set(Role.objects.get(key="admin").permissions) == set(P.ALL_PERMISSIONS)
    assert P.TOKEN_MANAGE not in role_perms("auditor")
    assert P.PRODUCT_MANAGE not in role_perms("agent")


def test_access_is_the_union_of_role_permissions_and_the_widest_scope(org):
    both = make_user("agent_handler", "agent", "handler", department=org.service, teams=[org.team_a])
    access = get_access(both)
    assert access.permissions == frozenset(role_perms("agent") | role_perms("handler"))
    assert access.scope == "department"  # department (handler) is wider than team (agent)
    assert access.department_path == org.service.path
    # Team ids only matter (and are only loaded) for the team scope.
    assert access.team_ids == frozenset()

    agent_only = make_user("agent_only", "agent", teams=[org.team_a, org.team_b])
    assert get_access(agent_only).scope == "team"
    assert get_access(agent_only).team_ids == {org.team_a.pk, org.team_b.pk}

    widest = make_user("handler_auditor", "handler", "auditor")
    assert get_access(widest).scope == "all"
    assert get_access(widest).permissions == role_perms("handler") | role_perms("auditor")


def test_scope_does_not_depend_on_role_order(org):
    own = do_create_role(key="own_only", name="本人", permissions=[P.TICKET_VIEW], data_scope="own", actor=None)
    team = Role.objects.get(key="agent")
    first = do_create_user(username="u1", password=PASSWORD, roles=[own, team], actor=None)
    second = do_create_user(username="u2", password=PASSWORD, roles=[team, own], actor=None)
    assert get_access(first).scope == get_access(second).scope == "team"


def test_user_without_roles_has_no_permissions_and_own_scope(org):
    access = get_access(org.nobody)
    assert access.permissions == frozenset()
    assert access.scope == "own"
    assert not has_perm(org.nobody, P.TICKET_VIEW)
    with pytest.raises(PermissionDenied) as exc:
        check_perm(org.nobody, P.TICKET_VIEW)
    assert exc.value.details == {"permission": P.TICKET_VIEW}


def test_superuser_gets_every_permission_and_all_scope_without_roles(db):
    root = do_create_user(username="root", password=PASSWORD, is_superuser=True, actor=None)
    assert root.roles.count() == 0
    access = get_access(root)
    assert access.permissions == frozenset(P.ALL_PERMISSIONS)
    assert access.scope == "all"
    assert root.is_staff  # may open the Django admin


def test_access_is_recomputed_after_roles_change(org):
    user = org.agent_a
    assert get_access(user).scope == "team"
    do_update_user(user, roles=[Role.objects.get(key="auditor")], actor=org.admin)
    assert get_access(user).scope == "all"
    assert get_access(user).permissions == role_perms("auditor")
    row = audit_rows("user.updated", user)[-1]
    assert row.data["roles"] == {"old": ["agent"], "new": ["auditor"]}
    assert row.actor == org.admin


def test_role_update_changes_what_its_users_may_do(org):
    role = Role.objects.get(key="handler")
    do_update_role(role, permissions=[P.TICKET_VIEW, P.REPORT_VIEW, P.REPORT_VIEW], data_scope="all", actor=None)
    role.refresh_from_db()
    assert role.permissions == [P.REPORT_VIEW, P.TICKET_VIEW]  # sorted, without duplicates
    forget_access(org.handler)
    assert get_access(org.handler).permissions == {P.TICKET_VIEW, P.REPORT_VIEW}
    assert get_access(org.handler).scope == "all"


def test_deactivated_user_loses_access_and_tokens(org, frozen_clock):
    user = org.agent_a
    token, secret = do_create_api_token(user=user, name="crm", actor=None)
    _, other_secret = do_create_api_token(user=org.agent_b, name="crm", actor=None)
    assert authenticate_token(secret) == user

    do_update_user(user, is_active=False, actor=org.admin)

    assert get_access(user).permissions == frozenset()
    assert not has_perm(user, P.TICKET_VIEW)
    token.refresh_from_db()
    assert token.revoked_at == frozen_clock.now()
    assert authenticate_token(secret) is None
    # Other people's tokens are untouched.
    assert authenticate_token(other_secret) == org.agent_b
    assert audit_rows("user.updated", user)[-1].data["is_active"] == {"old": True, "new": False}

    # Reactivation gives access back but never resurrects revoked tokens.
    do_update_user(user, is_active=True, actor=org.admin)
    assert has_perm(user, P.TICKET_VIEW)
    assert authenticate_token(secret) is None


def test_inactive_user_cannot_use_an_unrevoked_token(org):
    _, secret = do_create_api_token(user=org.agent_a, name="crm", actor=None)
    # Deactivated behind the action's back (e.g. by the Django admin): the token must still fail.
    User.objects.filter(pk=org.agent_a.pk).update(is_active=False)
    assert authenticate_token(secret) is None


# --- users --------------------------------------------------------------------------------


def test_create_user_writes_audit_and_event(org):
    user = do_create_user(username="  wang  ", password=PASSWORD, display_name="王五", department=org.repair,
                          roles=[Role.objects.get(key="handler")], teams=[org.team_a], actor=org.admin)
    assert user.username == "wang"
    assert user.check_password(PASSWORD)
    assert user.department == org.repair
    assert list(user.teams.all()) == [org.team_a]
    row = audit_rows("user.created", user)[0]
    assert row.actor == org.admin
    assert row.data == {"username": "wang", "roles": ["handler"]}
    assert PASSWORD not in str(row.data)
    assert Outbox.objects.filter(topic="user.created", payload__user_id=user.pk).exists()


def test_create_user_rejects_taken_username_case_insensitively(org):
    with pytest.raises(Conflict):
        do_create_user(username="Agent_A", password=PASSWORD, actor=None)
    assert User.objects.filter(username__iexact="agent_a").count() == 1


@pytest.mark.parametrize("password", ["short1!", "password123", "12345678"])
def test_create_user_rejects_weak_passwords(db, password):
    with pytest.raises(InvalidInput) as exc:
        do_create_user(username="weak", password=password, actor=None)
    assert exc.value.details["password"]
    assert not User.objects.filter(username="weak").exists()


def test_create_user_requires_a_username(db):
    with pytest.raises(InvalidInput):
        do_create_user(username="   ", password=PASSWORD, actor=None)


def test_user_without_password_cannot_sign_in(db):
    user = do_create_user(username="sso", password=None, actor=None)
    assert not user.has_usable_password()


def test_update_user_rejects_unknown_fields_and_bad_availability(org):
    with pytest.raises(InvalidInput):
        do_update_user(org.agent_a, is_superuser=True, actor=None)
    with pytest.raises(InvalidInput):
        do_update_user(org.agent_a, availability="sleeping", actor=None)
    org.agent_a.refresh_from_db()
    assert not org.agent_a.is_superuser


def test_update_user_without_changes_writes_nothing(org):
    before = AuditLog.objects.count()
    do_update_user(org.agent_a, display_name=org.agent_a.display_name, roles=list(org.agent_a.roles.all()),
                   actor=None)
    assert AuditLog.objects.count() == before


def test_set_password_checks_strength_and_audits(org):
    with pytest.raises(InvalidInput):
        do_set_password(org.agent_a, "Sh0rt!", actor=None)
    do_set_password(org.agent_a, "An0ther-Secret!", actor=org.admin)
    org.agent_a.refresh_from_db()
    assert org.agent_a.check_password("An0ther-Secret!")
    assert not org.agent_a.check_password(PASSWORD)
    assert audit_rows("user.password_set", org.agent_a)[-1].actor == org.admin


# --- password hashing ---------------------------------------------------------------------


def _load_settings_module(monkeypatch, testing: str):
    monkeypatch.setenv("CD_TESTING", testing)
    spec = importlib.util.spec_from_file_location("_cd_settings_probe", settings.BASE_DIR / "settings.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_argon2_is_the_production_hasher(monkeypatch):
    production = _load_settings_module(monkeypatch, "0")
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert not any("MD5" in h for h in production.PASSWORD_HASHERS)
    # Tests only put MD5 in front for speed; the rest of the list is the production one, so
    # argon2 hashes made in production still verify under test settings.
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.MD5PasswordHasher"
    assert settings.PASSWORD_HASHERS[1:] == production.PASSWORD_HASHERS


def test_argon2_hash_verifies(db):
    encoded = make_password(PASSWORD, hasher="argon2")
    assert identify_hasher(encoded).algorithm == "argon2"
    assert check_password(PASSWORD, encoded)
    assert not check_password("wrong", encoded)


# --- departments --------------------------------------------------------------------------


def test_department_paths_follow_the_tree(db):
    root = do_create_department(name="总部", code="hq", actor=None)
    child = do_create_department(name="售后部", parent=root, actor=None)
    grandchild = do_create_department(name="维修组", parent=child, actor=None)
    assert root.path == f"/{root.pk}/"
    assert child.path == f"/{root.pk}/{child.pk}/"
    assert grandchild.path == f"/{root.pk}/{child.pk}/{grandchild.pk}/"
    assert audit_rows("department.created", child)[0].data == {"name": "售后部"}


def test_department_name_required_and_code_unique(db):
    do_create_department(name="客服部", code="svc", actor=None)
    with pytest.raises(InvalidInput):
        do_create_department(name="  ", actor=None)
    with pytest.raises(Conflict):
        do_create_department(name="另一个", code="svc", actor=None)
    assert Department.objects.count() == 1


def _tree(db_):
    a = do_create_department(name="A", actor=None)
    b = do_create_department(name="B", parent=a, actor=None)
    c = do_create_department(name="C", parent=b, actor=None)
    d = do_create_department(name="D", parent=c, actor=None)
    b2 = do_create_department(name="B2", parent=a, actor=None)
    other = do_create_department(name="X", actor=None)
    return a, b, c, d, b2, other


def test_moving_a_department_reroots_every_descendant(db):
    a, b, c, d, b2, other = _tree(db)
    do_update_department(b, parent=other, actor=None)
    paths = dict(Department.objects.values_list("name", "path"))
    assert paths["B"] == f"/{other.pk}/{b.pk}/"
    assert paths["C"] == f"/{other.pk}/{b.pk}/{c.pk}/"
    assert paths["D"] == f"/{other.pk}/{b.pk}/{c.pk}/{d.pk}/"
    # Nodes outside the moved subtree keep their paths.
    assert paths["A"] == f"/{a.pk}/"
    assert paths["B2"] == f"/{a.pk}/{b2.pk}/"
    assert paths["X"] == f"/{other.pk}/"
    b.refresh_from_db()
    assert b.parent == other
    assert audit_rows("department.updated", b)[-1].data["parent"] == {"old": a.pk, "new": other.pk}

    # A subtree query by path now finds the moved people's departments under the new parent.
    under_other = set(Department.objects.filter(path__startswith=other.path).values_list("name", flat=True))
    assert under_other == {"X", "B", "C", "D"}


def test_moving_a_department_to_the_root(db):
    _, _, c, d, *_ = _tree(db)
    do_update_department(c, parent=None, actor=None)
    c.refresh_from_db()
    d.refresh_from_db()
    assert c.parent is None
    assert c.path == f"/{c.pk}/"
    assert d.path == f"/{c.pk}/{d.pk}/"


@pytest.mark.parametrize("target", ["self", "child", "grandchild"])
def test_moving_a_department_under_itself_is_refused(db, target):
    a, b, c, d, *_ = _tree(db)
    new_parent = {"self": b, "child": c, "grandchild": d}[target]
    before = dict(Department.objects.values_list("id", "path"))
    with pytest.raises(InvalidInput) as exc:
        do_update_department(b, parent=new_parent, actor=None)
    assert exc.value.details == {"parent": "cycle"}
    assert dict(Department.objects.values_list("id", "path")) == before
    b.refresh_from_db()
    assert b.parent == a


def test_update_department_rejects_unknown_fields_and_taken_codes(db):
    do_create_department(name="A", code="a", actor=None)
    b = do_create_department(name="B", code="b", actor=None)
    with pytest.raises(InvalidInput):
        do_update_department(b, path="/1/", actor=None)
    with pytest.raises(Conflict):
        do_update_department(b, code="a", actor=None)
    b.refresh_from_db()
    assert b.code == "b"


# --- teams and roles ----------------------------------------------------------------------


def test_create_team_with_members(org):
    team = do_create_team(name="售后一组", department=org.after_sales, lead=org.handler,
                          members=[org.handler, org.repair_handler], actor=org.admin)
    assert set(team.members.all()) == {org.handler, org.repair_handler}
    assert team.lead == org.handler
    assert audit_rows("team.created", team)[0].actor == org.admin
    with pytest.raises(Conflict):
        do_create_team(name="售后一组", actor=None)
    with pytest.raises(InvalidInput):
        do_create_team(name=" ", actor=None)
    assert Team.objects.filter(name="售后一组").count() == 1


def test_create_role_validates_permissions_scope_and_key(db):
    with pytest.raises(InvalidInput) as exc:
        do_create_role(key="x", name="X", permissions=["ticket.view", "ticket.fly"], data_scope="own", actor=None)
    assert exc.value.details == {"permissions": ["ticket.fly"]}
    with pytest.raises(InvalidInput):
        do_create_role(key="x", name="X", permissions=[], data_scope="galaxy", actor=None)
    with pytest.raises(Conflict):
        do_create_role(key="agent", name="X", permissions=[], data_scope="own", actor=None)
    role = do_create_role(key="viewer", name="查看", permissions=[P.TICKET_VIEW, P.TICKET_VIEW], data_scope="team",
                          actor=None)
    assert role.permissions == [P.TICKET_VIEW]
    assert audit_rows("role.created", role)[0].data == {"permissions": [P.TICKET_VIEW], "data_scope": "team"}
    assert get_role("viewer") == role
    with pytest.raises(NotFound):
        get_role("nope")


def test_update_role_rejects_unknown_permissions(db):
    role = Role.objects.get(key="handler")
    with pytest.raises(InvalidInput):
        do_update_role(role, permissions=["root.everything"], actor=None)
    with pytest.raises(InvalidInput):
        do_update_role(role, key="renamed", actor=None)
    role.refresh_from_db()
    assert set(role.permissions) == set(P.DEFAULT_ROLES[3].permissions)


# --- API tokens ---------------------------------------------------------------------------


def test_token_secret_is_stored_only_as_a_hash(org):
    token, secret = do_create_api_token(user=org.agent_a, name=" crm ", actor=org.agent_a)
    assert secret.startswith(TOKEN_PREFIX)
    assert len(secret) > 40
    assert token.name == "crm"
    assert token.prefix == secret[len(TOKEN_PREFIX):][:8]
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert not any(secret in str(value) for value in row.values())
    assert not any(secret[len(TOKEN_PREFIX):] in str(value) for value in row.values())
    audit = audit_rows("token.created", token)[0]
    assert secret not in str(audit.data)
    assert audit.data == {"name": "crm", "user": org.agent_a.pk}


def test_two_tokens_have_distinct_secrets(org):
    _, first = do_create_api_token(user=org.agent_a, name="a", actor=None)
    _, second = do_create_api_token(user=org.agent_a, name="a", actor=None)
    assert first != second


def test_token_name_required(org):
    with pytest.raises(InvalidInput):
        do_create_api_token(user=org.agent_a, name="  ", actor=None)


def test_authenticate_token_rejects_garbage(org):
    _, secret = do_create_api_token(user=org.agent_a, name="a", actor=None)
    assert authenticate_token(secret) == org.agent_a
    assert authenticate_token(secret[len(TOKEN_PREFIX):]) is None  # without the prefix
    assert authenticate_token(secret + "x") is None
    assert authenticate_token("cd_" + "x" * 300) is None
    assert authenticate_token("") is None


def test_revoked_token_stops_working(org, frozen_clock):
    token, secret = do_create_api_token(user=org.agent_a, name="a", actor=None)
    do_revoke_api_token(token, actor=org.admin)
    assert token.revoked_at == frozen_clock.now()
    assert authenticate_token(secret) is None
    frozen_clock.advance(timedelta(hours=1))
    do_revoke_api_token(token, actor=org.admin)  # idempotent: keeps the first time, one audit row
    token.refresh_from_db()
    assert token.revoked_at == frozen_clock.now() - timedelta(hours=1)
    assert len(audit_rows("token.revoked", token)) == 1


def test_expired_token_stops_working(org, frozen_clock):
    _, secret = do_create_api_token(user=org.agent_a, name="a", expires_at=frozen_clock.now() + timedelta(hours=1),
                                    actor=None)
    frozen_clock.advance(timedelta(minutes=59, seconds=59))
    assert authenticate_token(secret) == org.agent_a
    frozen_clock.advance(timedelta(seconds=1))
    assert authenticate_token(secret) is None


def test_last_used_at_is_set_and_throttled(org, frozen_clock):
    token, secret = do_create_api_token(user=org.agent_a, name="a", actor=None)
    assert token.last_used_at is None
    t0 = frozen_clock.now()
    authenticate_token(secret)
    token.refresh_from_db()
    assert token.last_used_at == t0

    frozen_clock.advance(timedelta(seconds=30))
    authenticate_token(secret)
    token.refresh_from_db()
    assert token.last_used_at == t0  # not written again within the minute

    frozen_clock.advance(timedelta(seconds=31))
    authenticate_token(secret)
    token.refresh_from_db()
    assert token.last_used_at == frozen_clock.now()
