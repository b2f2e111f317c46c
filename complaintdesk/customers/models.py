"""Customers (the people who complain), their ids in other systems, and the product catalogue."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from complaintdesk.core import clock
from complaintdesk.customers.choices import CustomerTier, ExternalSystem


def _now() -> Any:
    return clock.now()


class Customer(models.Model):
    """A person or company who raises complaints."""

    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=32, blank=True, default="", db_index=True)
    email = models.EmailField(blank=True, default="")
    tier = models.CharField(max_length=16, choices=CustomerTier.choices, default=CustomerTier.NORMAL)
    region = models.CharField(max_length=100, blank=True, default="")
    region_code = models.CharField(max_length=12, blank=True, default="")
    company = models.CharField(max_length=200, blank=True, default="")
    tags = models.JSONField(default=list, blank=True)
    account_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=_now)
    updated_at = models.DateTimeField(default=_now)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["email"], name="customer_email")]

    def __str__(self) -> str:
        return self.name


class CustomerExternalId(models.Model):
    """The customer's id in another system (CRM id, WeChat openid ...), unique per system."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="external_ids")
    system = models.CharField(max_length=32, choices=ExternalSystem.choices)
    value = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["system", "value"], name="customer_external_id_unique")]

    def __str__(self) -> str:
        return f"{self.system}:{self.value}"


class ProductLine(models.Model):
    """A product line (产品线), e.g. 智能手机, 家用电器; the unit for quality reports."""

    name = models.CharField(max_length=100, unique=True)
    code = models.CharField(max_length=50, blank=True, default="")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """A sellable item in the catalogue, identified by SKU."""

    sku = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    line = models.ForeignKey(ProductLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="products")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=_now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"
