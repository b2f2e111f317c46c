from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from complaintdesk.core.schemas import PageMeta, Ref, UserRef


class CustomerOut(Schema):
    id: int
    name: str
    phone: str
    email: str
    tier: str
    region: str
    region_code: str
    company: str
    tags: list[str]
    external_ids: dict[str, str]
    account_owner: UserRef | None
    notes: str
    ticket_count: int | None = None
    created_at: datetime
    updated_at: datetime


class CustomerPage(PageMeta):
    items: list[CustomerOut]


class CustomerIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    phone: str = Field("", max_length=32)
    email: str = Field("", max_length=254)
    tier: str = "normal"
    region: str = Field("", max_length=100)
    region_code: str = Field("", max_length=12)
    company: str = Field("", max_length=200)
    tags: list[str] = []
    external_ids: dict[str, str] = {}
    account_owner_id: int | None = None
    notes: str = ""


class CustomerPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    phone: str | None = Field(None, max_length=32)
    email: str | None = Field(None, max_length=254)
    tier: str | None = None
    region: str | None = None
    region_code: str | None = None
    company: str | None = None
    tags: list[str] | None = None
    external_ids: dict[str, str] | None = None
    account_owner_id: int | None = None
    notes: str | None = None


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    line: Ref | None
    is_active: bool


class ProductIn(Schema):
    sku: str = Field(..., min_length=1, max_length=64)
    name: str = Field(..., min_length=1, max_length=200)
    line_id: int | None = None


class ProductPatch(Schema):
    name: str | None = None
    line_id: int | None = None
    is_active: bool | None = None


class ProductLineOut(Schema):
    id: int
    name: str
    code: str


class ProductLineIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    code: str = ""
