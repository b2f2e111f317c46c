"""Customer and product catalogue endpoints."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import check_perm
from complaintdesk.accounts.models import User
from complaintdesk.core.errors import InvalidInput, NotFound
from complaintdesk.core.schemas import ERRORS, paginate, user_ref
from complaintdesk.customers import queries
from complaintdesk.customers.actions import (
    do_create_customer,
    do_create_product,
    do_create_product_line,
    do_update_customer,
    do_update_product,
    do_update_product_line,
)
from complaintdesk.customers.models import Customer, Product, ProductLine
from complaintdesk.customers.schemas import (
    CustomerIn,
    CustomerOut,
    CustomerPage,
    CustomerPatch,
    ProductIn,
    ProductLineIn,
    ProductLineOut,
    ProductLinePatch,
    ProductOut,
    ProductPatch,
)

router = Router(tags=["customers"])


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def customer_out(c: Customer) -> dict[str, Any]:
    return {
        "id": c.pk, "name": c.name, "phone": c.phone, "email": c.email, "tier": c.tier, "region": c.region,
        "region_code": c.region_code, "company": c.company, "tags": list(c.tags or []),
        "external_ids": {e.system: e.value for e in c.external_ids.all()},
        "account_owner": user_ref(c.account_owner) if c.account_owner_id else None, "notes": c.notes,
        "ticket_count": getattr(c, "ticket_count", None), "created_at": c.created_at, "updated_at": c.updated_at,
    }


def product_out(p: Product) -> dict[str, Any]:
    line = {"id": p.line.pk, "name": p.line.name} if p.line else None
    return {"id": p.pk, "sku": p.sku, "name": p.name, "line": line, "is_active": p.is_active}


def _check_email(email: str | None) -> None:
    if email:
        try:
            validate_email(email)
        except DjangoValidationError as exc:
            raise InvalidInput("邮箱格式不正确 / Invalid email", details={"email": "invalid"}) from exc


def _owner(owner_id: int | None) -> User | None:
    if owner_id is None:
        return None
    owner = User.objects.filter(pk=owner_id).first()
    if owner is None:
        raise InvalidInput("用户不存在 / Unknown user", details={"account_owner_id": owner_id})
    return owner


def _line(line_id: int | None) -> ProductLine | None:
    if line_id is None:
        return None
    line = ProductLine.objects.filter(pk=line_id).first()
    if line is None:
        raise InvalidInput("产品线不存在 / Unknown product line", details={"line_id": line_id})
    return line


@router.get("/customers", response={200: CustomerPage, **ERRORS},
            summary="Search customers by name, phone prefix, email, company or external id")
def list_customers(request: HttpRequest, q: str | None = None, tier: str | None = None, phone: str | None = None,
                   page: int = 1, page_size: int = 50) -> Any:
    check_perm(_actor(request), P.CUSTOMER_VIEW)
    items, meta = paginate(queries.list_customers(q=q, tier=tier, phone=phone).select_related("account_owner"),
                           page, page_size)
    return {**meta, "items": [customer_out(c) for c in items]}


@router.post("/customers", response={201: CustomerOut, **ERRORS}, summary="Create a customer")
def create_customer(request: HttpRequest, payload: CustomerIn) -> Any:
    check_perm(_actor(request), P.CUSTOMER_MANAGE)
    _check_email(payload.email)
    data = payload.dict()
    external_ids = data.pop("external_ids")
    data["account_owner"] = _owner(data.pop("account_owner_id"))
    name = data.pop("name")
    customer = do_create_customer(name=name, external_ids=external_ids, actor=_actor(request), **data)
    return Status(201, customer_out(queries.get_customer(customer_id=customer.pk, with_counts=True)))


@router.get("/customers/{customer_id}", response={200: CustomerOut, **ERRORS},
            summary="One customer with their complaint count")
def get_customer(request: HttpRequest, customer_id: int) -> Any:
    check_perm(_actor(request), P.CUSTOMER_VIEW)
    return customer_out(queries.get_customer(customer_id=customer_id, with_counts=True))


@router.patch("/customers/{customer_id}", response={200: CustomerOut, **ERRORS}, summary="Change a customer")
def update_customer(request: HttpRequest, customer_id: int, payload: CustomerPatch) -> Any:
    check_perm(_actor(request), P.CUSTOMER_MANAGE)
    customer = queries.get_customer(customer_id=customer_id)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items()}
    _check_email(data.get("email"))
    external_ids = data.pop("external_ids", None)
    if "account_owner_id" in data:
        data["account_owner"] = _owner(data.pop("account_owner_id"))
    fields = {k: v for k, v in data.items() if v is not None or k == "account_owner"}
    do_update_customer(customer, actor=_actor(request), external_ids=external_ids, **fields)
    return customer_out(queries.get_customer(customer_id=customer_id, with_counts=True))


@router.get("/product-lines", response={200: list[ProductLineOut], **ERRORS}, summary="Product lines")
def list_product_lines(request: HttpRequest) -> Any:
    check_perm(_actor(request), P.TICKET_VIEW)
    return list(queries.list_product_lines())


@router.post("/product-lines", response={201: ProductLineOut, **ERRORS}, summary="Create a product line")
def create_product_line(request: HttpRequest, payload: ProductLineIn) -> Any:
    check_perm(_actor(request), P.PRODUCT_MANAGE)
    return Status(201, do_create_product_line(name=payload.name, code=payload.code, actor=_actor(request)))


@router.patch("/product-lines/{line_id}", response={200: ProductLineOut, **ERRORS},
              summary="Rename a product line or change its code")
def update_product_line(request: HttpRequest, line_id: int, payload: ProductLinePatch) -> Any:
    check_perm(_actor(request), P.PRODUCT_MANAGE)
    line = ProductLine.objects.filter(pk=line_id).first() if 0 < line_id < 2**63 else None
    if line is None:
        raise NotFound("产品线不存在 / Product line not found")
    fields = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return do_update_product_line(line, actor=_actor(request), **fields)


@router.get("/products", response={200: list[ProductOut], **ERRORS}, summary="The product catalogue")
def list_products(request: HttpRequest, q: str | None = None, line_id: int | None = None,
                  active: bool | None = None) -> Any:
    check_perm(_actor(request), P.TICKET_VIEW)
    return [product_out(p) for p in queries.list_products(q=q, line_id=line_id, active=active)[:2000]]


@router.post("/products", response={201: ProductOut, **ERRORS}, summary="Create a product")
def create_product(request: HttpRequest, payload: ProductIn) -> Any:
    check_perm(_actor(request), P.PRODUCT_MANAGE)
    product = do_create_product(sku=payload.sku, name=payload.name, line=_line(payload.line_id),
                                actor=_actor(request))
    return Status(201, product_out(queries.get_product(product_id=product.pk)))


@router.patch("/products/{product_id}", response={200: ProductOut, **ERRORS}, summary="Change a product")
def update_product(request: HttpRequest, product_id: int, payload: ProductPatch) -> Any:
    check_perm(_actor(request), P.PRODUCT_MANAGE)
    product = queries.get_product(product_id=product_id)
    data = payload.dict(exclude_unset=True)
    fields: dict[str, Any] = {k: data[k] for k in ("name", "is_active") if data.get(k) is not None}
    if "line_id" in data:
        fields["line"] = _line(data["line_id"])
    do_update_product(product, actor=_actor(request), **fields)
    return product_out(queries.get_product(product_id=product_id))
