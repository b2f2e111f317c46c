from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from complaintdesk.core.schemas import Ref, UserRef


class RoleOut(Schema):
    id: int
    key: str
    name: str
    name_en: str
    permissions: list[str]
    data_scope: str
    is_system: bool


class RoleIn(Schema):
    key: str = Field(..., min_length=1, max_length=50, pattern=r"^[a-z0-9_\-]+$")
    name: str = Field(..., min_length=1, max_length=100)
    name_en: str = Field("", max_length=100)
    permissions: list[str] = Field([], max_length=100)
    data_scope: str = Field("own", max_length=16)


class RolePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    name_en: str | None = Field(None, max_length=100)
    permissions: list[str] | None = Field(None, max_length=100)
    data_scope: str | None = Field(None, max_length=16)


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    phone: str
    is_active: bool
    is_superuser: bool
    availability: str
    department: Ref | None
    roles: list[str]
    teams: list[Ref]
    last_login: datetime | None


class MeOut(UserOut):
    permissions: list[str]
    data_scope: str


class UserIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=128)
    display_name: str = Field("", max_length=100)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=32)
    department_id: int | None = None
    roles: list[str] = []
    team_ids: list[int] = []


class UserPatch(Schema):
    display_name: str | None = Field(None, max_length=100)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=32)
    department_id: int | None = None
    roles: list[str] | None = None
    team_ids: list[int] | None = None
    availability: str | None = Field(None, max_length=16)
    is_active: bool | None = None
    password: str | None = Field(None, max_length=128)


class DepartmentOut(Schema):
    id: int
    name: str
    code: str | None
    parent_id: int | None
    path: str
    manager: UserRef | None
    is_active: bool


class DepartmentIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    code: str | None = Field(None, max_length=50)
    parent_id: int | None = None
    manager_id: int | None = None


class DepartmentPatch(Schema):
    name: str | None = Field(None, max_length=100)
    code: str | None = Field(None, max_length=50)
    parent_id: int | None = None
    manager_id: int | None = None
    is_active: bool | None = None


class TeamOut(Schema):
    id: int
    name: str
    department: Ref | None
    lead: UserRef | None
    member_ids: list[int]
    is_active: bool


class TeamIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    department_id: int | None = None
    lead_id: int | None = None
    member_ids: list[int] = []


class TeamPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    department_id: int | None = None
    lead_id: int | None = None
    member_ids: list[int] | None = Field(None, max_length=1000)
    is_active: bool | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    user: UserRef
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    expires_at: datetime | None = None


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="The secret. Shown once; store it now.")


class LoginIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=128)
