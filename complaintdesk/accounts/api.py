"""Accounts endpoints: me, login/logout, users, roles, departments, teams, API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest
from django.middleware.csrf import get_token
from ninja import Router
from ninja.responses import Status

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts import queries
from complaintdesk.accounts.access import check_perm, get_access, has_perm
from complaintdesk.accounts.actions import (
    do_create_api_token,
    do_create_department,
    do_create_role,
    do_create_team,
    do_create_user,
    do_revoke_api_token,
    do_set_password,
    do_update_department,
    do_update_role,
    do_update_team,
    do_update_user,
)
from complaintdesk.accounts.models import ApiToken, Department, Role, Team, User
from complaintdesk.accounts.schemas import (
    DepartmentIn,
    DepartmentOut,
    DepartmentPatch,
    LoginIn,
    MeOut,
    RoleIn,
    RoleOut,
    RolePatch,
    TeamIn,
    TeamOut,
    TeamPatch,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    UserIn,
    UserOut,
    UserPatch,
)
from complaintdesk.core.errors import DomainError, InvalidInput
from complaintdesk.core.schemas import ERRORS, user_ref

router = Router(tags=["accounts"])


def actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def check_directory_access(user: User) -> None:
    """Pickers need the directory (users, teams, departments, roles): ticket viewers and user managers."""
    if not has_perm(user, P.USER_MANAGE):
        check_perm(user, P.TICKET_VIEW)


def user_out(user: User) -> dict[str, Any]:
    return {
        "id": user.pk, "username": user.username, "display_name": user.display_name or user.username,
        "email": user.email, "phone": user.phone, "is_active": user.is_active, "is_superuser": user.is_superuser,
        "availability": user.availability,
        "department": {"id": user.department.pk, "name": user.department.name} if user.department else None,
        "roles": [r.key for r in user.roles.all()],
        "teams": [{"id": t.pk, "name": t.name} for t in user.teams.all()],
        "last_login": user.last_login,
    }


def token_out(token: ApiToken) -> dict[str, Any]:
    return {"id": token.pk, "name": token.name, "prefix": token.prefix, "user": user_ref(token.user),
            "created_at": token.created_at, "last_used_at": token.last_used_at, "expires_at": token.expires_at,
            "revoked_at": token.revoked_at}


def _roles(keys: list[str]) -> list[Role]:
    roles = list(Role.objects.filter(key__in=keys))
    missing = sorted(set(keys) - {r.key for r in roles})
    if missing:
        raise InvalidInput(f"未知角色 / Unknown roles: {missing}", details={"roles": missing})
    return roles


def _storable_ids(ids: list[int]) -> list[int]:
    """Ids that can exist at all: others match nothing (and SQLite refuses to bind them)."""
    return [i for i in ids if 0 < i < 2**63]


def _teams(ids: list[int]) -> list[Team]:
    teams = list(Team.objects.filter(pk__in=_storable_ids(ids)))
    missing = sorted(set(ids) - {t.pk for t in teams})
    if missing:
        raise InvalidInput(f"未知团队 / Unknown teams: {missing}", details={"team_ids": missing})
    return teams


def _department(dept_id: int | None, field: str = "department_id") -> Department | None:
    if dept_id is None:
        return None
    dept = Department.objects.filter(pk=dept_id).first()
    if dept is None:
        raise InvalidInput("部门不存在 / Unknown department", details={field: dept_id})
    return dept


def _user(user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise InvalidInput("用户不存在 / Unknown user", details={field: user_id})
    return user


# --- session ------------------------------------------------------------------------------


@router.post("/auth/login", auth=None, response={200: MeOut, **ERRORS}, summary="Sign in (web session)")
def login_view(request: HttpRequest, payload: LoginIn) -> Any:
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        raise DomainError("用户名或密码错误 / Wrong username or password", code="invalid_credentials")
    login(request, user)
    get_token(request)  # sets the CSRF cookie for the SPA
    return me(request)


@router.post("/auth/logout", response={204: None, **ERRORS}, summary="Sign out")
def logout_view(request: HttpRequest) -> Any:
    logout(request)
    return Status(204, None)


@router.get("/me", response={200: MeOut, **ERRORS}, summary="The signed-in user, permissions and scope")
def me(request: HttpRequest) -> Any:
    user = actor(request)
    access = get_access(user)
    return {**user_out(user), "permissions": sorted(access.permissions), "data_scope": access.scope}


# --- users --------------------------------------------------------------------------------


@router.get("/users", response={200: list[UserOut], **ERRORS}, summary="List users")
def list_users(request: HttpRequest, q: str | None = None, department_id: int | None = None,
               role: str | None = None, team_id: int | None = None, active: bool | None = None) -> Any:
    check_directory_access(actor(request))
    return [user_out(u) for u in queries.list_users(q=q, department_id=department_id, role=role,
                                                    team_id=team_id, active=active)[:1000]]


@router.post("/users", response={201: UserOut, **ERRORS}, summary="Create a user")
def create_user(request: HttpRequest, payload: UserIn) -> Any:
    check_perm(actor(request), P.USER_MANAGE)
    user = do_create_user(
        username=payload.username, password=payload.password, display_name=payload.display_name,
        email=payload.email, phone=payload.phone, department=_department(payload.department_id),
        roles=_roles(payload.roles), teams=_teams(payload.team_ids), actor=actor(request),
    )
    return Status(201, user_out(queries.get_user(user_id=user.pk)))


@router.get("/users/{user_id}", response={200: UserOut, **ERRORS}, summary="One user")
def get_user(request: HttpRequest, user_id: int) -> Any:
    check_directory_access(actor(request))
    return user_out(queries.get_user(user_id=user_id))


@router.patch("/users/{user_id}", response={200: UserOut, **ERRORS}, summary="Change a user")
def update_user(request: HttpRequest, user_id: int, payload: UserPatch) -> Any:
    check_perm(actor(request), P.USER_MANAGE)
    user = queries.get_user(user_id=user_id)
    data = payload.dict(exclude_unset=True)
    fields: dict[str, Any] = {}
    for name in ("display_name", "email", "phone", "availability", "is_active"):
        if name in data and data[name] is not None:
            fields[name] = data[name]
    if "department_id" in data:
        fields["department"] = _department(data["department_id"])
    if data.get("roles") is not None:
        fields["roles"] = _roles(data["roles"])
    if data.get("team_ids") is not None:
        fields["teams"] = _teams(data["team_ids"])
    if user.pk == actor(request).pk and fields.get("is_active") is False:
        raise InvalidInput("不能停用自己 / You cannot deactivate yourself", details={"is_active": "self"})
    if data.get("password"):
        do_set_password(user, data["password"], actor=actor(request))
    do_update_user(user, actor=actor(request), **fields)
    return user_out(queries.get_user(user_id=user.pk))


# --- roles --------------------------------------------------------------------------------


@router.get("/roles", response={200: list[RoleOut], **ERRORS}, summary="List roles")
def list_roles(request: HttpRequest) -> Any:
    check_directory_access(actor(request))
    return list(queries.list_roles())


@router.get("/permissions", response={200: dict[str, str], **ERRORS}, summary="All permission codes")
def list_permissions(request: HttpRequest) -> Any:
    return P.ALL_PERMISSIONS


@router.post("/roles", response={201: RoleOut, **ERRORS}, summary="Create a role")
def create_role(request: HttpRequest, payload: RoleIn) -> Any:
    check_perm(actor(request), P.USER_MANAGE)
    role = do_create_role(key=payload.key, name=payload.name, name_en=payload.name_en,
                          permissions=payload.permissions, data_scope=payload.data_scope, actor=actor(request))
    return Status(201, role)


@router.patch("/roles/{role_id}", response={200: RoleOut, **ERRORS}, summary="Change a role")
def update_role(request: HttpRequest, role_id: int, payload: RolePatch) -> Any:
    check_perm(actor(request), P.USER_MANAGE)
    role = queries.get_role_by_id(role_id=role_id)
    fields = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return do_update_role(role, actor=actor(request), **fields)


# --- departments and teams ----------------------------------------------------------------


def dept_out(d: Department) -> dict[str, Any]:
    return {"id": d.pk, "name": d.name, "code": d.code, "parent_id": d.parent_id, "path": d.path,
            "manager": user_ref(d.manager), "is_active": d.is_active}


@router.get("/departments", response={200: list[DepartmentOut], **ERRORS},
            summary="The department tree (ordered by path; parent_id builds the tree)")
def list_departments(request: HttpRequest) -> Any:
    check_directory_access(actor(request))
    return [dept_out(d) for d in queries.list_departments()]


@router.post("/departments", response={201: DepartmentOut, **ERRORS}, summary="Create a department")
def create_department(request: HttpRequest, payload: DepartmentIn) -> Any:
    check_perm(actor(request), P.USER_MANAGE)
    dept = do_create_department(name=payload.name, code=payload.code,
                                parent=_department(payload.parent_id, "parent_id"),
                                manager=_user(payload.manager_id, "manager_id"), actor=actor(request))
    return Status(201, dept_out(dept))


@router.patch("/departments/{department_id}", response={200: DepartmentOut, **ERRORS},
              summary="Rename, move or change a department")
def update_department(request: HttpRequest, department_id: int, payload: DepartmentPatch) -> Any:
    check_perm(actor(request), P.USER_MANAGE)
    dept = queries.get_department(department_id=department_id)
    data = payload.dict(exclude_unset=True)
    fields: dict[str, Any] = {k: data[k] for k in ("name", "code", "is_active") if k in data and data[k] is not None}
    if "parent_id" in data:
        fields["parent"] = _department(data["parent_id"], "parent_id")
    if "manager_id" in data:
        fields["manager"] = _user(data["manager_id"], "manager_id")
    return dept_out(do_update_department(dept, actor=actor(request), **fields))


def team_out(t: Team) -> dict[str, Any]:
    return {"id": t.pk, "name": t.name,
            "department": {"id": t.department.pk, "name": t.department.name} if t.department else None,
            "lead": user_ref(t.lead), "member_ids": [m.pk for m in t.members.all()], "is_active": t.is_active}


@router.get("/teams", response={200: list[TeamOut], **ERRORS}, summary="List teams (queues)")
def list_teams(request: HttpRequest) -> Any:
    check_directory_access(actor(request))
    return [team_out(t) for t in queries.list_teams()]


@router.post("/teams", response={201: TeamOut, **ERRORS}, summary="Create a team")
def create_team(request: HttpRequest, payload: TeamIn) -> Any:
    check_perm(actor(request), P.USER_MANAGE)
    members = _members(payload.member_ids)
    team = do_create_team(name=payload.name, department=_department(payload.department_id),
                          lead=_user(payload.lead_id, "lead_id"), members=members, actor=actor(request))
    return Status(201, team_out(queries.get_team(team_id=team.pk)))


def _members(ids: list[int]) -> list[User]:
    members = list(User.objects.filter(pk__in=_storable_ids(ids)))
    if len(members) != len(set(ids)):
        raise InvalidInput("未知成员 / Unknown member ids", details={"member_ids": ids})
    return members


@router.patch("/teams/{team_id}", response={200: TeamOut, **ERRORS},
              summary="Rename a team, change its department, lead, members or active flag")
def update_team(request: HttpRequest, team_id: int, payload: TeamPatch) -> Any:
    check_perm(actor(request), P.USER_MANAGE)
    team = queries.get_team(team_id=team_id)
    data = payload.dict(exclude_unset=True)
    fields: dict[str, Any] = {k: data[k] for k in ("name", "is_active") if data.get(k) is not None}
    if "department_id" in data:
        fields["department"] = _department(data["department_id"])
    if "lead_id" in data:
        fields["lead"] = _user(data["lead_id"], "lead_id")
    if data.get("member_ids") is not None:
        fields["members"] = _members(data["member_ids"])
    do_update_team(team, actor=actor(request), **fields)
    return team_out(queries.get_team(team_id=team.pk))


# --- API tokens ---------------------------------------------------------------------------


@router.get("/tokens", response={200: list[TokenOut], **ERRORS},
            summary="My API tokens (all users' tokens for user managers with ?all=true)")
def list_tokens(request: HttpRequest, all: bool = False) -> Any:
    user = actor(request)
    check_perm(user, P.TOKEN_MANAGE)
    if all:
        check_perm(user, P.USER_MANAGE)
    return [token_out(t) for t in queries.list_tokens(user=user, all_users=all)]


@router.post("/tokens", response={201: TokenCreatedOut, **ERRORS}, summary="Create an API token for myself")
def create_token(request: HttpRequest, payload: TokenIn) -> Any:
    user = actor(request)
    check_perm(user, P.TOKEN_MANAGE)
    token, secret = do_create_api_token(user=user, name=payload.name, expires_at=payload.expires_at, actor=user)
    return Status(201, {**token_out(token), "token": secret})


@router.delete("/tokens/{token_id}", response={204: None, **ERRORS}, summary="Revoke an API token")
def revoke_token(request: HttpRequest, token_id: int) -> Any:
    user = actor(request)
    check_perm(user, P.TOKEN_MANAGE)
    token = queries.get_token(viewer=user, token_id=token_id, all_users=has_perm(user, P.USER_MANAGE))
    do_revoke_api_token(token, actor=user)
    return Status(204, None)

