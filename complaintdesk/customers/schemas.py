from __future__ import annotations

from datetime import datetime
from typing import Annotated

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
    tier: str = Field("normal", max_length=16)
    region: str = Field("", max_length=100)
    region_code: str = Field("", max_length=12)
    company: str = Field("", max_length=200)
    tags: list[Annotated[str, Field(max_length=50)]] = Field([], max_length=50)
    external_ids: dict[str, Annotated[str, Field(min_length=1, max_length=200)]] = {}
    account_owner_id: int | None = None
    notes: str = Field("", max_length=10000)


class CustomerPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    phone: str | None = Field(None, max_length=32)
    email: str | None = Field(None, max_length=254)
    tier: str | None = Field(None, max_length=16)
    region: str | None = Field(None, max_length=100)
    region_code: str | None = Field(None, max_length=12)
    company: str | None = Field(None, max_length=200)
    tags: list[Annotated[str, Field(max_length=50)]] | None = Field(None, max_length=50)
    external_ids: dict[str, Annotated[str, Field(min_length=1, max_length=200)]] | None = None
    account_owner_id: int | None = None
    notes: str | None = Field(None, max_length=10000)


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
    name: str | None = Field(None, min_length=1, max_length=200)
    line_id: int | None = None
    is_active: bool | None = None


class ProductLineOut(Schema):
    id: int
    name: str
    code: str


class ProductLineIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    code: str = Field("", max_length=50)


class ProductLinePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    code: str | None = Field(None, max_length=50)
