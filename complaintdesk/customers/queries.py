"""Reads of customers and the product catalogue."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from complaintdesk.core.errors import NotFound
from complaintdesk.customers.models import Customer, Product, ProductLine


def list_customers(*, q: str | None = None, tier: str | None = None, phone: str | None = None) -> QuerySet[Customer]:
    qs = Customer.objects.prefetch_related("external_ids").order_by("-id")
    if q:
        q = q.strip()[:100]
        qs = qs.filter(Q(name__icontains=q) | Q(phone__startswith=q) | Q(email__icontains=q)
                       | Q(company__icontains=q) | Q(external_ids__value=q)).distinct()
    if tier:
        qs = qs.filter(tier=tier)
    if phone:
        qs = qs.filter(phone=phone.strip())
    return qs


def get_customer(*, customer_id: int, with_counts: bool = False) -> Customer:
    qs = Customer.objects.prefetch_related("external_ids").filter(pk=customer_id)
    if with_counts:
        qs = qs.annotate(ticket_count=Count("tickets"))
    customer = qs.first()
    if customer is None:
        raise NotFound(f"客户不存在 / Customer {customer_id} not found")
    return customer


def list_products(*, q: str | None = None, line_id: int | None = None,
                  active: bool | None = None) -> QuerySet[Product]:
    qs = Product.objects.select_related("line").order_by("id")
    if q:
        # Bounded like every search box: SQLite refuses LIKE patterns over 50,000 bytes.
        q = q.strip()[:100]
        qs = qs.filter(Q(sku__icontains=q) | Q(name__icontains=q))
    if line_id is not None:
        qs = qs.filter(line_id=line_id)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


def get_product(*, product_id: int) -> Product:
    product = Product.objects.select_related("line").filter(pk=product_id).first()
    if product is None:
        raise NotFound(f"产品不存在 / Product {product_id} not found")
    return product


def list_product_lines() -> QuerySet[ProductLine]:
    return ProductLine.objects.order_by("id")
