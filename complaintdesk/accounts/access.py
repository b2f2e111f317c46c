"""What a user may do (permission codes) and see (data scope), computed once per request."""

from __future__ import annotations

from dataclasses import dataclass

from complaintdesk.accounts.choices import SCOPE_WIDTH, DataScope
from complaintdesk.accounts.models import User
from complaintdesk.accounts.permissions import ALL_PERMISSIONS
from complaintdesk.core.errors import PermissionDenied


@dataclass(frozen=True)
class Access:
    user_id: int
    permissions: frozenset[str]
    scope: str
    team_ids: frozenset[int]
    department_id: int | None
    department_path: str | None


def get_access(user: User) -> Access:
    """Union of the user's roles' permissions and the widest of their data scopes (cached)."""
    cached: Access | None = getattr(user, "_cd_access", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        perms = frozenset(ALL_PERMISSIONS)
        scope = DataScope.ALL.value
    else:
        rows = list(user.roles.values_list("permissions", "data_scope"))
        perms = frozenset(code for codes, _ in rows for code in (codes or []))
        scope = DataScope.OWN.value
        for _, role_scope in rows:
            if SCOPE_WIDTH.get(DataScope(role_scope), 0) > SCOPE_WIDTH[DataScope(scope)]:
                scope = role_scope
    team_ids = frozenset(user.teams.values_list("id", flat=True)) if scope == DataScope.TEAM else frozenset()
    dept_path = None
    if user.department_id is not None:
        dept_path = user.department.path if user.department else None
    access = Access(
        user_id=user.pk,
        permissions=perms if user.is_active else frozenset(),
        scope=scope,
        team_ids=team_ids,
        department_id=user.department_id,
        department_path=dept_path,
    )
    user._cd_access = access  # type: ignore[attr-defined]
    return access


def forget_access(user: User) -> None:
    if hasattr(user, "_cd_access"):
        del user._cd_access


def has_perm(user: User, code: str) -> bool:
    return code in get_access(user).permissions


def check_perm(user: User, code: str) -> None:
    if not has_perm(user, code):
        raise PermissionDenied(
            f"您没有此操作的权限 / You lack the permission {code!r}", details={"permission": code}
        )
