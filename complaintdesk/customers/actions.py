"""Every write to customers and products."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from complaintdesk.core import clock
from complaintdesk.core import events as ev
from complaintdesk.core.audit import changes, check_known_fields, record_audit, save_changes
from complaintdesk.core.errors import Conflict, InvalidInput
from complaintdesk.customers.choices import CustomerTier, ExternalSystem
from complaintdesk.customers.models import Customer, CustomerExternalId, Product, ProductLine

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User

CUSTOMER_FIELDS = {"name", "phone", "email", "tier", "region", "region_code", "company", "tags", "notes",
                   "account_owner"}


def _check_customer_fields(fields: dict[str, Any]) -> None:
    if "name" in fields and not str(fields["name"] or "").strip():
        raise InvalidInput("客户名称不能为空 / Customer name is required", details={"name": "required"})
    if "tier" in fields and fields["tier"] not in CustomerTier.values:
        raise InvalidInput("无效的客户等级 / Invalid tier", details={"tier": f"one of {CustomerTier.values}"})


def _check_external_ids(external_ids: dict[str, str], customer: Customer | None) -> None:
    for system, value in external_ids.items():
        if not value or not value.strip():
            raise InvalidInput(f"外部ID不能为空 / External id for {system!r} is empty",
                               details={"external_ids": system})
        if system not in ExternalSystem.values:
            raise InvalidInput(f"未知外部系统 / Unknown external system {system!r}",
                               details={"external_ids": system})
        clash = CustomerExternalId.objects.filter(system=system, value=value).exclude(
            customer=customer
        ).first() if customer else CustomerExternalId.objects.filter(system=system, value=value).first()
        if clash:
            raise Conflict(f"外部ID已被其他客户使用 / {system}:{value} belongs to another customer",
                           details={"customer_id": clash.customer_id})


def do_create_customer(
    *, name: str, actor: User | None, external_ids: dict[str, str] | None = None, **fields: Any
) -> Customer:
    check_known_fields(fields, CUSTOMER_FIELDS)
    fields["name"] = name.strip()
    _check_customer_fields(fields)
    with transaction.atomic():
        _check_external_ids(external_ids or {}, None)
        now = clock.now()
        customer = Customer.objects.create(created_at=now, updated_at=now, **fields)
        for system, value in (external_ids or {}).items():
            CustomerExternalId.objects.create(customer=customer, system=system, value=value)
        record_audit(actor=actor, action="customer.created", obj=customer, data={"name": customer.name})
        ev.publish(ev.CUSTOMER_CREATED, {"customer_id": customer.pk})
    return customer


def do_update_customer(
    customer: Customer, *, actor: User | None, external_ids: dict[str, str] | None = None, **fields: Any
) -> Customer:
    check_known_fields(fields, CUSTOMER_FIELDS)
    _check_customer_fields(fields)
    with transaction.atomic():
        diff = changes(customer, fields)
        for name, value in fields.items():
            setattr(customer, name, value)
        if external_ids:
            _check_external_ids(external_ids, customer)
            for system, value in external_ids.items():
                CustomerExternalId.objects.update_or_create(customer=customer, system=system,
                                                            defaults={"value": value})
            diff["external_ids"] = {"old": None, "new": external_ids}
        if diff:
            customer.updated_at = clock.now()
            customer.save(update_fields=[*(f for f in diff if f != "external_ids"), "updated_at"])
            record_audit(actor=actor, action="customer.updated", obj=customer, data=diff)
            ev.publish(ev.CUSTOMER_UPDATED, {"customer_id": customer.pk, "changes": sorted(diff)})
    return customer


def find_customer(
    *, phone: str = "", email: str = "", external_ids: dict[str, str] | None = None
) -> Customer | None:
    """The existing customer matching an external id, else phone, else email."""
    for system, value in (external_ids or {}).items():
        hit = CustomerExternalId.objects.select_related("customer").filter(system=system, value=value).first()
        if hit:
            return hit.customer
    if phone:
        found = Customer.objects.filter(phone=phone).order_by("id").first()
        if found:
            return found
    if email:
        return Customer.objects.filter(email__iexact=email).order_by("id").first()
    return None


def do_find_or_create_customer(
    *, name: str, phone: str = "", email: str = "", external_ids: dict[str, str] | None = None,
    actor: User | None, **fields: Any,
) -> Customer:
    """Intake helper: reuse the customer known by external id / phone / email, else create one."""
    external_ids = {s: v.strip() for s, v in (external_ids or {}).items() if v and v.strip()}
    found = find_customer(phone=phone, email=email, external_ids=external_ids)
    if found is not None:
        # Only add ids for systems the customer has none for: intake never overwrites a known CRM id.
        known_systems = set(found.external_ids.values_list("system", flat=True))
        missing = {s: v for s, v in external_ids.items()
                   if s not in known_systems and not CustomerExternalId.objects.filter(system=s, value=v).exists()}
        if missing:
            do_update_customer(found, actor=actor, external_ids=missing)
        return found
    return do_create_customer(name=name or phone or email or "匿名客户", phone=phone, email=email,
                              external_ids=external_ids, actor=actor, **fields)


def do_create_product_line(*, name: str, code: str = "", actor: User | None) -> ProductLine:
    if not name.strip():
        raise InvalidInput("产品线名称不能为空 / Name is required", details={"name": "required"})
    with transaction.atomic():
        if ProductLine.objects.filter(name=name.strip()).exists():
            raise Conflict(f"产品线已存在 / Product line {name!r} exists", details={"name": "taken"})
        line = ProductLine.objects.create(name=name.strip(), code=code)
        record_audit(actor=actor, action="product_line.created", obj=line, data={"name": line.name})
    return line


def do_update_product_line(line: ProductLine, *, actor: User | None, **fields: Any) -> ProductLine:
    """Rename a product line or change its code."""
    check_known_fields(fields, {"name", "code"})
    if "name" in fields:
        fields["name"] = str(fields["name"] or "").strip()
        if not fields["name"]:
            raise InvalidInput("产品线名称不能为空 / Name is required", details={"name": "required"})
    with transaction.atomic():
        if "name" in fields and ProductLine.objects.filter(name=fields["name"]).exclude(pk=line.pk).exists():
            raise Conflict(f"产品线已存在 / Product line {fields['name']!r} exists", details={"name": "taken"})
        save_changes(line, fields, actor=actor, action="product_line.updated")
    return line


def do_create_product(*, sku: str, name: str, line: ProductLine | None, actor: User | None) -> Product:
    if not sku.strip() or not name.strip():
        raise InvalidInput("SKU与名称必填 / SKU and name are required",
                           details={k: "required" for k, v in (("sku", sku), ("name", name)) if not v.strip()})
    with transaction.atomic():
        if Product.objects.filter(sku=sku.strip()).exists():
            raise Conflict(f"SKU已存在 / SKU {sku!r} exists", details={"sku": "taken"})
        product = Product.objects.create(sku=sku.strip(), name=name.strip(), line=line, created_at=clock.now())
        record_audit(actor=actor, action="product.created", obj=product, data={"sku": product.sku})
    return product


def do_update_product(product: Product, *, actor: User | None, **fields: Any) -> Product:
    allowed = {"name", "line", "is_active"}
    check_known_fields(fields, allowed)
    with transaction.atomic():
        save_changes(product, fields, actor=actor, action="product.updated")
    return product
