"""Accounts REST API: authentication (tokens, session, CSRF), /me, users, roles, departments, teams, tokens."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.actions import do_create_api_token, do_create_department, do_update_user
from complaintdesk.accounts.models import ApiToken, Department, Role, Team, User
from complaintdesk.core.models import AuditLog

PASSWORD = "Test-passw0rd!"


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}, body
    assert isinstance(body["message"], str) and body["message"]
    if code is not None:
        assert body["code"] == code, body
    return body


def post_json(client: Client, path: str, data, **extra):
    return client.post(path, json.dumps(data), content_type="application/json", **extra)


# --- authentication -----------------------------------------------------------------------

AUTHENTICATED_ENDPOINTS = [
    ("get", "/api/v1/me"),
    ("get", "/api/v1/users"),
    ("post", "/api/v1/users"),
    ("get", "/api/v1/roles"),
    ("get", "/api/v1/permissions"),
    ("get", "/api/v1/departments"),
    ("get", "/api/v1/teams"),
    ("get", "/api/v1/tokens"),
    ("post", "/api/v1/tokens"),
    ("post", "/api/v1/auth/logout"),
]


@pytest.mark.parametrize(("method", "path"), AUTHENTICATED_ENDPOINTS)
def test_unauthenticated_requests_get_401(db, method, path):
    client = Client()
    response = getattr(client, method)(path, content_type="application/json")
    assert_error(response, 401, "unauthenticated")


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer cd_not-a-real-token", "Bearer ", "Basic YWRtaW46YQ=="])
def test_bad_credentials_get_401(org, header):
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert_error(response, 401, "unauthenticated")


def test_token_client_gets_401_not_csrf_403_on_unsafe_methods(org):
    """A real client enforces CSRF; without a session cookie, a bad token must still mean 401."""
    token, secret = do_create_api_token(user=org.agent_a, name="crm", actor=None)
    client = Client(enforce_csrf_checks=True)
    ok = post_json(client, "/api/v1/tokens", {"name": "x"}, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert ok.status_code == 201, ok.content
    token.revoked_at = token.created_at
    token.save(update_fields=["revoked_at"])
    revoked = post_json(client, "/api/v1/tokens", {"name": "y"}, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert_error(revoked, 401, "unauthenticated")
    anonymous = post_json(client, "/api/v1/users", {"username": "x", "password": PASSWORD})
    assert_error(anonymous, 401, "unauthenticated")


def test_permissions_catalogue(org):
    response = org.client(org.nobody).get("permissions")
    assert response.status_code == 200
    assert response.json() == P.ALL_PERMISSIONS


# --- session login ------------------------------------------------------------------------


def test_session_login_works_for_get_and_requires_csrf_for_post(org):
    client = Client(enforce_csrf_checks=True)
    response = post_json(client, "/api/v1/auth/login", {"username": "agent_a", "password": PASSWORD})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["username"] == "agent_a"
    assert body["data_scope"] == "team"
    assert settings.SESSION_COOKIE_NAME in client.cookies
    assert settings.CSRF_COOKIE_NAME in client.cookies

    me = client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["username"] == "agent_a"

    before = ApiToken.objects.count()
    no_csrf = post_json(client, "/api/v1/tokens", {"name": "from the browser"})
    assert_error(no_csrf, 403, "permission_denied")
    wrong_csrf = post_json(client, "/api/v1/tokens", {"name": "from the browser"}, HTTP_X_CSRFTOKEN="x" * 32)
    assert_error(wrong_csrf, 403)
    assert ApiToken.objects.count() == before

    csrf = client.cookies[settings.CSRF_COOKIE_NAME].value
    with_csrf = post_json(client, "/api/v1/tokens", {"name": "from the browser"}, HTTP_X_CSRFTOKEN=csrf)
    assert with_csrf.status_code == 201, with_csrf.content
    assert ApiToken.objects.get(pk=with_csrf.json()["id"]).user == org.agent_a

    logout = client.post("/api/v1/auth/logout", HTTP_X_CSRFTOKEN=csrf)
    assert logout.status_code == 204
    assert_error(client.get("/api/v1/me"), 401, "unauthenticated")


def test_login_sets_last_login(org):
    client = Client()
    post_json(client, "/api/v1/auth/login", {"username": "handler", "password": PASSWORD})
    org.handler.refresh_from_db()
    assert org.handler.last_login is not None


@pytest.mark.parametrize(("username", "password"), [("agent_a", "wrong-password"), ("ghost", PASSWORD),
                                                    ("", "")])
def test_login_with_wrong_credentials(org, username, password):
    client = Client(enforce_csrf_checks=True)
    response = post_json(client, "/api/v1/auth/login", {"username": username, "password": password})
    body = assert_error(response, 400, "invalid_credentials")
    assert "password" not in json.dumps(body["details"])
    assert settings.SESSION_COOKIE_NAME not in client.cookies
    assert_error(client.get("/api/v1/me"), 401)


def test_login_with_malformed_body(org):
    client = Client()
    assert_error(client.post("/api/v1/auth/login", "{not json", content_type="application/json"), 400)
    assert_error(post_json(client, "/api/v1/auth/login", {"username": "agent_a"}), 422, "validation_error")
    assert_error(post_json(client, "/api/v1/auth/login", {"username": ["agent_a"], "password": PASSWORD}), 422)


def test_deactivated_user_cannot_log_in_and_loses_session(org):
    client = Client()
    assert post_json(client, "/api/v1/auth/login", {"username": "agent_b", "password": PASSWORD}).status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    do_update_user(org.agent_b, is_active=False, actor=None)
    assert_error(client.get("/api/v1/me"), 401, "unauthenticated")
    again = post_json(Client(), "/api/v1/auth/login", {"username": "agent_b", "password": PASSWORD})
    assert_error(again, 400, "invalid_credentials")


# --- /me ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "scope", "role"), [
    ("agent_a", "team", "agent"), ("handler", "department", "handler"), ("supervisor", "all", "supervisor"),
    ("auditor", "all", "auditor"),
])
def test_me_shows_permissions_and_data_scope(org, who, scope, role):
    user = getattr(org, who)
    body = org.client(user).get("me").json()
    assert body["username"] == who
    assert body["data_scope"] == scope
    assert body["permissions"] == sorted(Role.objects.get(key=role).permissions)
    assert body["roles"] == [role]


def test_me_for_superuser_and_for_someone_without_roles(org):
    admin = org.client(org.admin).get("me").json()
    assert admin["is_superuser"] is True
    assert admin["permissions"] == sorted(P.ALL_PERMISSIONS)
    assert admin["data_scope"] == "all"
    nobody = org.client(org.nobody).get("me").json()
    assert nobody["permissions"] == []
    assert nobody["data_scope"] == "own"
    assert nobody["department"] is None


def test_me_shows_department_and_teams(org):
    body = org.client(org.agent_a).get("me").json()
    assert body["department"] == {"id": org.service.pk, "name": "客服部"}
    assert body["teams"] == [{"id": org.team_a.pk, "name": "客服一组"}]


# --- tokens -------------------------------------------------------------------------------


def test_create_list_and_revoke_tokens(org, frozen_clock):
    api = org.client(org.agent_a)
    created = api.post("tokens", {"name": "ERP 集成"})
    assert created.status_code == 201, created.content
    body = created.json()
    secret = body["token"]
    assert secret.startswith("cd_")
    assert body["prefix"] == secret[3:11]
    assert body["user"]["username"] == "agent_a"
    assert body["revoked_at"] is None
    row = ApiToken.objects.get(pk=body["id"])
    assert row.token_hash != secret and secret not in row.token_hash

    listed = api.get("tokens").json()
    assert body["id"] in [t["id"] for t in listed]
    assert all("token" not in t for t in listed)
    assert all(t["user"]["username"] == "agent_a" for t in listed)

    new_client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert new_client.get("/api/v1/me", **auth).json()["username"] == "agent_a"

    assert api.delete(f"tokens/{body['id']}").status_code == 204
    assert_error(new_client.get("/api/v1/me", **auth), 401, "unauthenticated")
    row.refresh_from_db()
    assert row.revoked_at == frozen_clock.now()
    assert AuditLog.objects.filter(action="token.revoked", object_id=str(row.pk), actor=org.agent_a).exists()
    # Revoking again is harmless.
    assert api.delete(f"tokens/{body['id']}").status_code == 204


def test_expired_token_gets_401(org, frozen_clock):
    api = org.client(org.agent_a)
    expires = frozen_clock.now() + timedelta(hours=1)
    created = api.post("tokens", {"name": "short", "expires_at": expires.isoformat()})
    assert created.status_code == 201, created.content
    auth = {"HTTP_AUTHORIZATION": f"Bearer {created.json()['token']}"}
    assert Client().get("/api/v1/me", **auth).status_code == 200
    frozen_clock.advance(timedelta(hours=1))
    assert_error(Client().get("/api/v1/me", **auth), 401, "unauthenticated")


def test_last_used_at_through_the_api_is_throttled(org, frozen_clock):
    token, secret = do_create_api_token(user=org.handler, name="x", actor=None)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    t0 = frozen_clock.now()
    Client().get("/api/v1/me", **auth)
    token.refresh_from_db()
    assert token.last_used_at == t0
    frozen_clock.advance(timedelta(seconds=20))
    Client().get("/api/v1/me", **auth)
    token.refresh_from_db()
    assert token.last_used_at == t0
    frozen_clock.advance(timedelta(minutes=5))
    Client().get("/api/v1/me", **auth)
    token.refresh_from_db()
    assert token.last_used_at == frozen_clock.now()


def test_token_validation(org):
    api = org.client(org.agent_a)
    assert_error(api.post("tokens", {"name": ""}), 422, "validation_error")
    assert_error(api.post("tokens", {}), 422, "validation_error")
    assert_error(api.post("tokens", {"name": "x", "expires_at": "next tuesday"}), 422, "validation_error")


def test_auditor_cannot_manage_tokens(org):
    api = org.client(org.auditor)
    before = ApiToken.objects.count()
    assert_error(api.post("tokens", {"name": "x"}), 403, "permission_denied")
    assert_error(api.get("tokens"), 403, "permission_denied")
    other, _ = do_create_api_token(user=org.agent_a, name="a", actor=None)
    assert_error(api.delete(f"tokens/{other.pk}"), 403, "permission_denied")
    assert ApiToken.objects.count() == before + 1
    other.refresh_from_db()
    assert other.revoked_at is None


def test_only_user_managers_see_and_revoke_other_peoples_tokens(org):
    agent = org.client(org.agent_a)
    admin = org.client(org.admin)
    theirs, _ = do_create_api_token(user=org.agent_b, name="theirs", actor=None)

    assert_error(agent.get("tokens", {"all": "true"}), 403, "permission_denied")
    assert theirs.pk not in [t["id"] for t in agent.get("tokens").json()]
    assert_error(agent.delete(f"tokens/{theirs.pk}"), 404, "not_found")
    theirs.refresh_from_db()
    assert theirs.revoked_at is None

    everyone = admin.get("tokens", {"all": "true"}).json()
    assert theirs.pk in [t["id"] for t in everyone]
    assert admin.delete(f"tokens/{theirs.pk}").status_code == 204
    theirs.refresh_from_db()
    assert theirs.revoked_at is not None
    assert_error(admin.delete("tokens/999999"), 404, "not_found")


# --- users --------------------------------------------------------------------------------


def test_create_user_with_roles_teams_and_department(org):
    api = org.client(org.admin)
    response = api.post("users", {
        "username": "zhao", "password": "Str0ng-pass!", "display_name": "赵六", "email": "zhao@example.com",
        "department_id": org.repair.pk, "roles": ["handler", "quality"], "team_ids": [org.team_b.pk],
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["username"] == "zhao"
    assert body["display_name"] == "赵六"
    assert body["department"] == {"id": org.repair.pk, "name": "维修组"}
    assert sorted(body["roles"]) == ["handler", "quality"]
    assert body["teams"] == [{"id": org.team_b.pk, "name": "客服二组"}]
    assert body["is_active"] is True and body["is_superuser"] is False
    assert "password" not in body

    user = User.objects.get(username="zhao")
    assert user.check_password("Str0ng-pass!")
    audit = AuditLog.objects.get(action="user.created", object_id=str(user.pk))
    assert audit.actor == org.admin
    # The new account can sign in and sees the union of its roles.
    client = Client()
    assert post_json(client, "/api/v1/auth/login", {"username": "zhao", "password": "Str0ng-pass!"}).status_code == 200
    me = client.get("/api/v1/me").json()
    assert me["data_scope"] == "all"
    assert set(me["permissions"]) == set(Role.objects.get(key="handler").permissions) | set(
        Role.objects.get(key="quality").permissions)


@pytest.mark.parametrize("username", ["agent_a", "AGENT_A"])
def test_create_user_with_taken_username_is_409(org, username):
    before = User.objects.count()
    response = org.client(org.admin).post("users", {"username": username, "password": "Str0ng-pass!"})
    body = assert_error(response, 409, "conflict")
    assert body["details"] == {"username": "taken"}
    assert User.objects.count() == before


def test_create_user_with_weak_password_is_422(org):
    response = org.client(org.admin).post("users", {"username": "weak", "password": "1234"})
    body = assert_error(response, 422, "validation_error")
    assert body["details"]["password"]
    assert not User.objects.filter(username="weak").exists()


@pytest.mark.parametrize(("extra", "field"), [
    ({"roles": ["agent", "wizard"]}, "roles"),
    ({"team_ids": [999999]}, "team_ids"),
    ({"department_id": 999999}, "department_id"),
    ({"team_ids": [2**70]}, "team_ids"),
])
def test_create_user_with_unknown_references_is_422(org, extra, field):
    response = org.client(org.admin).post("users", {"username": "ref", "password": "Str0ng-pass!", **extra})
    body = assert_error(response, 422, "validation_error")
    assert field in body["details"]
    assert not User.objects.filter(username="ref").exists()


@pytest.mark.parametrize("payload", [
    {"username": 123, "password": "Str0ng-pass!"},
    {"username": "x", "password": "Str0ng-pass!", "roles": "agent"},
    {"username": "x", "password": "Str0ng-pass!", "department_id": "abc"},
    {"username": "x", "password": "Str0ng-pass!", "team_ids": ["a"]},
    {"username": "", "password": "Str0ng-pass!"},
    {"username": "x"},
    [],
    "x",
    None,
])
def test_create_user_with_wrong_types_is_422(org, payload):
    response = org.client(org.admin).post("users", payload)
    assert_error(response, 422, "validation_error")


def test_malformed_json_is_400(org):
    api = org.client(org.admin)
    for body in ("{", "{'username': 'x'}", "\x00\xff", "[1,"):
        response = api.client.post("/api/v1/users", body, content_type="application/json", **api.headers)
        assert_error(response, 400, "bad_request")


def test_patch_user_roles_changes_their_access(org):
    admin = org.client(org.admin)
    agent = org.client(org.agent_a)
    assert agent.get("me").json()["data_scope"] == "team"
    response = admin.patch(f"users/{org.agent_a.pk}", {"roles": ["supervisor"], "team_ids": []})
    assert response.status_code == 200, response.content
    assert response.json()["roles"] == ["supervisor"]
    assert response.json()["teams"] == []
    me = agent.get("me").json()
    assert me["data_scope"] == "all"
    assert P.REPORT_VIEW in me["permissions"]
    audit = AuditLog.objects.filter(action="user.updated", object_id=str(org.agent_a.pk)).latest("id")
    assert audit.data["roles"] == {"old": ["agent"], "new": ["supervisor"]}
    assert audit.actor == org.admin


def test_patch_user_fields_and_department(org):
    admin = org.client(org.admin)
    response = admin.patch(f"users/{org.handler.pk}", {"display_name": "老王", "availability": "away",
                                                        "department_id": org.repair.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["display_name"] == "老王"
    assert body["availability"] == "away"
    assert body["department"]["id"] == org.repair.pk
    cleared = admin.patch(f"users/{org.handler.pk}", {"department_id": None}).json()
    assert cleared["department"] is None
    assert_error(admin.patch(f"users/{org.handler.pk}", {"availability": "sleeping"}), 422)
    assert_error(admin.patch(f"users/{org.handler.pk}", {"roles": ["nope"]}), 422)
    assert_error(admin.patch(f"users/{org.handler.pk}", {"department_id": 999999}), 422)
    assert_error(admin.patch(f"users/{org.handler.pk}", {"is_active": "maybe"}), 422)
    assert_error(admin.patch("users/999999", {"display_name": "x"}), 404, "not_found")


def test_patch_user_password(org):
    admin = org.client(org.admin)
    assert_error(admin.patch(f"users/{org.handler.pk}", {"password": "123"}), 422, "validation_error")
    assert admin.patch(f"users/{org.handler.pk}", {"password": "N3w-passw0rd!"}).status_code == 200
    org.handler.refresh_from_db()
    assert org.handler.check_password("N3w-passw0rd!")


def test_cannot_deactivate_self(org):
    admin = org.client(org.admin)
    body = assert_error(admin.patch(f"users/{org.admin.pk}", {"is_active": False}), 422, "validation_error")
    assert body["details"] == {"is_active": "self"}
    org.admin.refresh_from_db()
    assert org.admin.is_active
    assert admin.get("me").status_code == 200


def test_deactivating_a_user_ends_their_api_access(org):
    admin = org.client(org.admin)
    victim = org.client(org.agent_b)
    assert victim.get("me").status_code == 200
    response = admin.patch(f"users/{org.agent_b.pk}", {"is_active": False})
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert_error(victim.get("me"), 401, "unauthenticated")
    assert not ApiToken.objects.filter(user=org.agent_b, revoked_at__isnull=True).exists()
    inactive = admin.get("users", {"active": "false"}).json()
    assert [u["username"] for u in inactive] == ["agent_b"]


def test_list_and_filter_users(org):
    api = org.client(org.agent_a)  # ticket viewers may read the directory (assignee pickers)
    names = lambda params: sorted(u["username"] for u in api.get("users", params).json())  # noqa: E731
    assert "nobody" in names({})
    assert names({"role": "handler"}) == ["handler", "repair_handler"]
    assert names({"team_id": org.team_a.pk}) == ["agent_a"]
    assert names({"department_id": org.quality_dept.pk}) == ["auditor", "quality"]
    assert names({"q": "REPAIR"}) == ["repair_handler"]
    one = api.get(f"users/{org.quality.pk}").json()
    assert one["username"] == "quality"
    assert_error(api.get("users/999999"), 404, "not_found")
    assert_error(api.get("users/99999999999999999999999"), 404, "not_found")


# --- roles --------------------------------------------------------------------------------


def test_create_and_patch_role(org):
    admin = org.client(org.admin)
    response = admin.post("roles", {"key": "reviewer", "name": "审核员", "permissions": [P.TICKET_VIEW,
                                                                                     P.REPORT_VIEW],
                                     "data_scope": "department"})
    assert response.status_code == 201, response.content
    role = response.json()
    assert role["permissions"] == [P.REPORT_VIEW, P.TICKET_VIEW]
    assert role["is_system"] is False
    assert role["key"] in [r["key"] for r in admin.get("roles").json()]

    admin.patch(f"users/{org.nobody.pk}", {"roles": ["reviewer"]})
    assert org.client(org.nobody).get("me").json()["data_scope"] == "department"

    patched = admin.patch(f"roles/{role['id']}", {"permissions": [P.TICKET_VIEW], "data_scope": "all"})
    assert patched.status_code == 200, patched.content
    me = org.client(org.nobody).get("me").json()
    assert me["permissions"] == [P.TICKET_VIEW]
    assert me["data_scope"] == "all"


@pytest.mark.parametrize(("payload", "status"), [
    ({"key": "x", "name": "X", "permissions": ["ticket.fly"]}, 422),
    ({"key": "x", "name": "X", "data_scope": "universe"}, 422),
    ({"key": "Bad Key!", "name": "X"}, 422),
    ({"key": "x", "name": ""}, 422),
    ({"key": "x", "name": "X", "permissions": "ticket.view"}, 422),
    ({"key": "agent", "name": "X"}, 409),
])
def test_create_role_rejects_bad_input(org, payload, status):
    before = Role.objects.count()
    assert_error(org.client(org.admin).post("roles", payload), status)
    assert Role.objects.count() == before


def test_patch_role_rejects_bad_input(org):
    admin = org.client(org.admin)
    role = Role.objects.get(key="handler")
    assert_error(admin.patch(f"roles/{role.pk}", {"permissions": ["ticket.fly"]}), 422, "validation_error")
    assert_error(admin.patch(f"roles/{role.pk}", {"data_scope": "planet"}), 422, "validation_error")
    assert_error(admin.patch("roles/999999", {"name": "x"}), 404, "not_found")


# --- departments and teams ----------------------------------------------------------------


def test_create_department_tree_via_api(org):
    admin = org.client(org.admin)
    parent = admin.post("departments", {"name": "华东区", "code": "east", "manager_id": org.supervisor.pk})
    assert parent.status_code == 201, parent.content
    p = parent.json()
    assert p["path"] == f"/{p['id']}/"
    assert p["manager"]["username"] == "supervisor"
    child = admin.post("departments", {"name": "上海站", "parent_id": p["id"]}).json()
    assert child["parent_id"] == p["id"]
    assert child["path"] == f"/{p['id']}/{child['id']}/"
    listed = admin.get("departments").json()
    # Ordered by path: a parent comes before its children.
    ids = [d["id"] for d in listed]
    assert ids.index(p["id"]) < ids.index(child["id"])


def test_move_department_subtree_via_api(org):
    admin = org.client(org.admin)
    sub = do_create_department(name="上门组", parent=org.repair, actor=None)
    response = admin.patch(f"departments/{org.after_sales.pk}", {"parent_id": org.service.pk})
    assert response.status_code == 200, response.content
    assert response.json()["path"] == f"{org.service.path}{org.after_sales.pk}/"
    paths = {d["id"]: d["path"] for d in admin.get("departments").json()}
    assert paths[org.repair.pk] == f"{org.service.path}{org.after_sales.pk}/{org.repair.pk}/"
    assert paths[sub.pk] == f"{org.service.path}{org.after_sales.pk}/{org.repair.pk}/{sub.pk}/"
    assert paths[org.quality_dept.pk] == f"/{org.quality_dept.pk}/"

    # Back to the top level.
    top = admin.patch(f"departments/{org.after_sales.pk}", {"parent_id": None}).json()
    assert top["path"] == f"/{org.after_sales.pk}/"
    assert Department.objects.get(pk=sub.pk).path == f"/{org.after_sales.pk}/{org.repair.pk}/{sub.pk}/"


def test_move_department_under_its_descendant_is_422(org):
    admin = org.client(org.admin)
    before = dict(Department.objects.values_list("id", "path"))
    body = assert_error(admin.patch(f"departments/{org.after_sales.pk}", {"parent_id": org.repair.pk}), 422,
                        "validation_error")
    assert body["details"] == {"parent": "cycle"}
    assert_error(admin.patch(f"departments/{org.after_sales.pk}", {"parent_id": org.after_sales.pk}), 422)
    assert dict(Department.objects.values_list("id", "path")) == before


def test_department_bad_input(org):
    admin = org.client(org.admin)
    assert_error(admin.post("departments", {"name": "X", "code": "service"}), 409, "conflict")
    assert_error(admin.post("departments", {"name": "X", "parent_id": 999999}), 422, "validation_error")
    assert_error(admin.post("departments", {"name": "X", "manager_id": 999999}), 422, "validation_error")
    assert_error(admin.post("departments", {"name": ""}), 422, "validation_error")
    assert_error(admin.patch(f"departments/{org.repair.pk}", {"code": "service"}), 409, "conflict")
    assert_error(admin.patch(f"departments/{org.repair.pk}", {"parent_id": 999999}), 422, "validation_error")
    assert_error(admin.patch(f"departments/{org.repair.pk}", {"name": "  "}), 422, "validation_error")
    assert_error(admin.patch("departments/999999", {"name": "x"}), 404, "not_found")
    assert Department.objects.get(pk=org.repair.pk).code == "repair"


def test_department_code_can_be_cleared_on_several(org):
    admin = org.client(org.admin)
    assert admin.patch(f"departments/{org.repair.pk}", {"code": ""}).json()["code"] is None
    assert admin.patch(f"departments/{org.quality_dept.pk}", {"code": ""}).json()["code"] is None


def test_create_team_via_api(org):
    admin = org.client(org.admin)
    response = admin.post("teams", {"name": "售后一组", "department_id": org.after_sales.pk,
                                    "lead_id": org.handler.pk, "member_ids": [org.handler.pk, org.repair_handler.pk]})
    assert response.status_code == 201, response.content
    team = response.json()
    assert team["department"] == {"id": org.after_sales.pk, "name": "售后部"}
    assert team["lead"]["username"] == "handler"
    assert sorted(team["member_ids"]) == sorted([org.handler.pk, org.repair_handler.pk])
    assert team["id"] in [t["id"] for t in admin.get("teams").json()]
    members = admin.get("users", {"team_id": team["id"]}).json()
    assert sorted(u["username"] for u in members) == ["handler", "repair_handler"]


@pytest.mark.parametrize(("payload", "status"), [
    ({"name": "客服一组"}, 409),
    ({"name": "新组", "member_ids": [999999]}, 422),
    ({"name": "新组", "member_ids": [2**70]}, 422),
    ({"name": "新组", "lead_id": 999999}, 422),
    ({"name": "新组", "department_id": 999999}, 422),
    ({"name": ""}, 422),
    ({"name": "新组", "member_ids": "all"}, 422),
])
def test_create_team_bad_input(org, payload, status):
    before = Team.objects.count()
    assert_error(org.client(org.admin).post("teams", payload), status)
    assert Team.objects.count() == before


# --- negative permission tests for every endpoint family ----------------------------------

WRITE_ENDPOINTS = [
    ("post", lambda o: "users", {"username": "x", "password": "Str0ng-pass!"}),
    ("patch", lambda o: f"users/{o.agent_b.pk}", {"display_name": "hacked"}),
    ("post", lambda o: "roles", {"key": "x", "name": "X"}),
    ("patch", lambda o: f"roles/{Role.objects.get(key='agent').pk}", {"permissions": list(P.ALL_PERMISSIONS)}),
    ("post", lambda o: "departments", {"name": "X"}),
    ("patch", lambda o: f"departments/{o.repair.pk}", {"name": "X"}),
    ("post", lambda o: "teams", {"name": "X"}),
]


@pytest.mark.parametrize("who", ["agent_a", "supervisor", "auditor", "nobody"])
@pytest.mark.parametrize(("method", "path", "payload"), WRITE_ENDPOINTS)
def test_directory_writes_need_user_manage(org, who, method, path, payload):
    api = org.client(getattr(org, who))
    before = (User.objects.count(), Role.objects.count(), Department.objects.count(), Team.objects.count())
    audit_before = AuditLog.objects.count()
    body = assert_error(getattr(api, method)(path(org), payload), 403, "permission_denied")
    assert body["details"] == {"permission": P.USER_MANAGE}
    assert (User.objects.count(), Role.objects.count(), Department.objects.count(), Team.objects.count()) == before
    assert AuditLog.objects.count() == audit_before
    assert set(Role.objects.get(key="agent").permissions) != set(P.ALL_PERMISSIONS)


@pytest.mark.parametrize("path", ["users", "roles", "departments", "teams", "users/{id}"])
def test_directory_reads_need_ticket_view_or_user_manage(org, path):
    path = path.format(id=org.agent_a.pk)
    assert_error(org.client(org.nobody).get(path), 403, "permission_denied")
    assert org.client(org.auditor).get(path).status_code == 200
