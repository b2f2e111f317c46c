"""Every write to accounts: users, departments, teams, roles, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction

from complaintdesk.accounts.access import forget_access
from complaintdesk.accounts.choices import Availability, DataScope
from complaintdesk.accounts.models import ApiToken, Department, Role, Team, User
from complaintdesk.accounts.permissions import ALL_PERMISSIONS
from complaintdesk.core import clock
from complaintdesk.core import events as ev
from complaintdesk.core.audit import changes, check_known_fields, record_audit, save_changes
from complaintdesk.core.errors import Conflict, InvalidInput, NotFound
from complaintdesk.core.tree import move_subtree

TOKEN_PREFIX = "cd_"
_TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


# --- users --------------------------------------------------------------------------------


def check_password_strength(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise InvalidInput("密码不符合要求 / Password too weak", details={"password": list(exc.messages)}) from exc


def do_create_user(
    *,
    username: str,
    password: str | None,
    display_name: str = "",
    email: str = "",
    phone: str = "",
    department: Department | None = None,
    roles: list[Role] | None = None,
    teams: list[Team] | None = None,
    is_superuser: bool = False,
    actor: User | None,
    check_password: bool = True,
) -> User:
    username = username.strip()
    if not username:
        raise InvalidInput("用户名不能为空 / Username is required", details={"username": "required"})
    if password and check_password:
        check_password_strength(password)
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise Conflict(f"用户名已存在 / Username {username!r} is taken", details={"username": "taken"})
        user = User(
            username=username,
            display_name=display_name,
            email=email,
            phone=phone,
            department=department,
            is_superuser=is_superuser,
            is_staff=is_superuser,
            date_joined=clock.now(),
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        if roles:
            user.roles.set(roles)
        if teams:
            user.teams.set(teams)
        record_audit(
            actor=actor, action="user.created", obj=user,
            data={"username": username, "roles": [r.key for r in roles or []]},
        )
        ev.publish(ev.USER_CREATED, {"user_id": user.pk, "username": username})
    return user


def do_update_user(user: User, *, actor: User | None, **fields: Any) -> User:
    """Change profile fields, department, roles, teams, availability or active flag."""
    allowed = {"display_name", "email", "phone", "department", "availability", "is_active", "language"}
    roles = fields.pop("roles", None)
    teams = fields.pop("teams", None)
    check_known_fields(fields, allowed)
    if "availability" in fields and fields["availability"] not in Availability.values:
        raise InvalidInput("无效的在岗状态 / Invalid availability", details={"availability": "invalid"})
    with transaction.atomic():
        diff = changes(user, fields)
        for name, value in fields.items():
            setattr(user, name, value)
        if diff:
            user.save(update_fields=list(diff))
        if roles is not None:
            old = sorted(user.roles.values_list("key", flat=True))
            user.roles.set(roles)
            new = sorted(r.key for r in roles)
            if old != new:
                diff["roles"] = {"old": old, "new": new}
        if teams is not None:
            old_t = sorted(user.teams.values_list("id", flat=True))
            user.teams.set(teams)
            new_t = sorted(t.pk for t in teams)
            if old_t != new_t:
                diff["teams"] = {"old": old_t, "new": new_t}
        if diff:
            record_audit(actor=actor, action="user.updated", obj=user, data=diff)
            ev.publish(ev.USER_UPDATED, {"user_id": user.pk, "changes": sorted(diff)})
            if "is_active" in diff and not user.is_active:
                # Deactivation ends access at once: revoke the user's API tokens too.
                ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=clock.now())
    forget_access(user)
    return user


def do_set_password(user: User, password: str, *, actor: User | None) -> None:
    check_password_strength(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record_audit(actor=actor, action="user.password_set", obj=user)


# --- departments and teams ----------------------------------------------------------------


def do_create_department(
    *, name: str, parent: Department | None = None, code: str | None = None,
    manager: User | None = None, actor: User | None,
) -> Department:
    if not name.strip():
        raise InvalidInput("部门名称不能为空 / Name is required", details={"name": "required"})
    with transaction.atomic():
        try:
            with transaction.atomic():
                dept = Department.objects.create(name=name.strip(), parent=parent, code=code or None, manager=manager)
        except IntegrityError as exc:
            raise Conflict(f"部门编码已存在 / Department code {code!r} is taken") from exc
        dept.path = f"{parent.path if parent else '/'}{dept.pk}/"
        dept.save(update_fields=["path"])
        record_audit(actor=actor, action="department.created", obj=dept, data={"name": dept.name})
    return dept


def do_update_department(dept: Department, *, actor: User | None, **fields: Any) -> Department:
    allowed = {"name", "code", "manager", "parent", "sort_order", "is_active"}
    check_known_fields(fields, allowed)
    if "name" in fields and not str(fields["name"] or "").strip():
        raise InvalidInput("部门名称不能为空 / Name is required", details={"name": "required"})
    if "code" in fields:
        fields["code"] = fields["code"] or None  # as on create: no code is NULL, so "" never clashes
    with transaction.atomic():
        diff = changes(dept, fields)
        if "parent" in diff:
            move_subtree(dept, fields["parent"])
        for name, value in fields.items():
            setattr(dept, name, value)
        if diff:
            try:
                with transaction.atomic():
                    dept.save(update_fields=[f for f in diff if f != "path"])
            except IntegrityError as exc:
                raise Conflict(f"部门编码已存在 / Department code {fields.get('code')!r} is taken",
                               details={"code": "taken"}) from exc
            record_audit(actor=actor, action="department.updated", obj=dept, data=diff)
    return dept


def do_create_team(
    *, name: str, department: Department | None = None, lead: User | None = None,
    members: list[User] | None = None, actor: User | None,
) -> Team:
    if not name.strip():
        raise InvalidInput("团队名称不能为空 / Name is required", details={"name": "required"})
    with transaction.atomic():
        if Team.objects.filter(name=name.strip()).exists():
            raise Conflict(f"团队已存在 / Team {name!r} exists", details={"name": "taken"})
        team = Team.objects.create(name=name.strip(), department=department, lead=lead)
        if members:
            team.members.set(members)
        record_audit(actor=actor, action="team.created", obj=team, data={"name": team.name})
    return team


def do_update_team(team: Team, *, actor: User | None, **fields: Any) -> Team:
    """Rename a team, move it to another department, change its lead, members or active flag."""
    allowed = {"name", "department", "lead", "is_active"}
    members: list[User] | None = fields.pop("members", None)
    check_known_fields(fields, allowed)
    if "name" in fields:
        fields["name"] = str(fields["name"] or "").strip()
        if not fields["name"]:
            raise InvalidInput("团队名称不能为空 / Name is required", details={"name": "required"})
    with transaction.atomic():
        if "name" in fields and Team.objects.filter(name=fields["name"]).exclude(pk=team.pk).exists():
            raise Conflict(f"团队已存在 / Team {fields['name']!r} exists", details={"name": "taken"})
        diff = changes(team, fields)
        for name, value in fields.items():
            setattr(team, name, value)
        if diff:
            team.save(update_fields=list(diff))
        if members is not None:
            old = sorted(team.members.values_list("id", flat=True))
            team.members.set(members)
            new = sorted(m.pk for m in members)
            if old != new:
                diff["members"] = {"old": old, "new": new}
        if diff:
            record_audit(actor=actor, action="team.updated", obj=team, data=diff)
    return team


# --- roles --------------------------------------------------------------------------------


def check_role_fields(permissions: list[str] | None, data_scope: str | None) -> None:
    if permissions is not None:
        unknown = sorted(set(permissions) - set(ALL_PERMISSIONS))
        if unknown:
            raise InvalidInput(f"未知权限 / Unknown permissions: {unknown}", details={"permissions": unknown})
    if data_scope is not None and data_scope not in DataScope.values:
        raise InvalidInput("无效的数据范围 / Invalid data scope", details={"data_scope": data_scope})


def do_create_role(
    *, key: str, name: str, name_en: str = "", permissions: list[str], data_scope: str,
    is_system: bool = False, actor: User | None,
) -> Role:
    check_role_fields(permissions, data_scope)
    with transaction.atomic():
        if Role.objects.filter(key=key).exists():
            raise Conflict(f"角色已存在 / Role {key!r} exists", details={"key": "taken"})
        role = Role.objects.create(
            key=key, name=name, name_en=name_en, permissions=sorted(set(permissions)),
            data_scope=data_scope, is_system=is_system,
        )
        record_audit(actor=actor, action="role.created", obj=role,
                     data={"permissions": role.permissions, "data_scope": data_scope})
    return role


def do_update_role(role: Role, *, actor: User | None, **fields: Any) -> Role:
    allowed = {"name", "name_en", "permissions", "data_scope"}
    check_known_fields(fields, allowed)
    check_role_fields(fields.get("permissions"), fields.get("data_scope"))
    if "permissions" in fields:
        fields["permissions"] = sorted(set(fields["permissions"]))
    with transaction.atomic():
        save_changes(role, fields, actor=actor, action="role.updated")
    return role


# --- API tokens ---------------------------------------------------------------------------


def hash_token(secret: str) -> str:
    # The secret has 256 bits of entropy, so a fast hash is enough (no offline guessing).
    return hashlib.sha256(secret.encode()).hexdigest()


def do_create_api_token(
    *, user: User, name: str, expires_at: datetime | None = None, actor: User | None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret; the secret is shown once, never stored."""
    if not name.strip():
        raise InvalidInput("令牌名称不能为空 / Token name is required", details={"name": "required"})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name.strip(), prefix=secret[len(TOKEN_PREFIX):][:8],
            token_hash=hash_token(secret), expires_at=expires_at,
        )
        record_audit(actor=actor, action="token.created", obj=token, data={"name": token.name, "user": user.pk})
    return token, secret


def do_revoke_api_token(token: ApiToken, *, actor: User | None) -> ApiToken:
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        record_audit(actor=actor, action="token.revoked", obj=token, data={"name": token.name})
    return token


def authenticate_token(secret: str) -> User | None:
    """The active user owning a valid, unrevoked, unexpired token; touches last_used_at."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__department")
        .filter(token_hash=hash_token(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = clock.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or now - token.last_used_at > _TOKEN_TOUCH_INTERVAL:
        # Throttled so that busy integrations do not write on every request.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def get_role(key: str) -> Role:
    role = Role.objects.filter(key=key).first()
    if role is None:
        raise NotFound(f"角色不存在 / Role {key!r} not found")
    return role
