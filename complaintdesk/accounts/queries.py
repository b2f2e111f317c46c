"""Reads of users, departments, teams, roles and tokens."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from complaintdesk.accounts.models import ApiToken, Department, Role, Team, User
from complaintdesk.core.errors import NotFound


def list_users(*, q: str | None = None, department_id: int | None = None, role: str | None = None,
               team_id: int | None = None, active: bool | None = None) -> QuerySet[User]:
    qs = User.objects.select_related("department").prefetch_related("roles", "teams").order_by("id")
    if q:
        # Bounded like every search box: SQLite refuses LIKE patterns over 50,000 bytes.
        q = q.strip()[:100]
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q) | Q(email__icontains=q))
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    if role:
        qs = qs.filter(roles__key=role)
    if team_id is not None:
        qs = qs.filter(teams__id=team_id)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.distinct()


def get_user(*, user_id: int) -> User:
    user = User.objects.select_related("department").prefetch_related("roles", "teams").filter(pk=user_id).first()
    if user is None:
        raise NotFound(f"用户不存在 / User {user_id} not found")
    return user


def get_user_by_username(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotFound(f"用户不存在 / User {username!r} not found")
    return user


def list_departments() -> QuerySet[Department]:
    return Department.objects.select_related("manager").order_by("path", "sort_order", "id")


def get_department(*, department_id: int) -> Department:
    dept = Department.objects.filter(pk=department_id).first()
    if dept is None:
        raise NotFound(f"部门不存在 / Department {department_id} not found")
    return dept


def list_teams() -> QuerySet[Team]:
    return Team.objects.select_related("department", "lead").prefetch_related("members").order_by("id")


def get_team(*, team_id: int) -> Team:
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise NotFound(f"团队不存在 / Team {team_id} not found")
    return team


def list_roles() -> QuerySet[Role]:
    return Role.objects.order_by("id")


def get_role_by_id(*, role_id: int) -> Role:
    role = Role.objects.filter(pk=role_id).first()
    if role is None:
        raise NotFound(f"角色不存在 / Role {role_id} not found")
    return role


def list_tokens(*, user: User, all_users: bool = False) -> QuerySet[ApiToken]:
    qs = ApiToken.objects.select_related("user").order_by("-id")
    return qs if all_users else qs.filter(user=user)


def get_token(*, viewer: User, token_id: int, all_users: bool) -> ApiToken:
    qs = ApiToken.objects.filter(pk=token_id)
    if not all_users:
        qs = qs.filter(user=viewer)
    token = qs.first()
    if token is None:
        raise NotFound("令牌不存在 / Token not found")
    return token
