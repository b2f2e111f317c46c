"""Users, the department tree, teams (queues), roles and API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models

from complaintdesk.accounts.choices import Availability, DataScope
from complaintdesk.core import clock


def _now() -> Any:
    return clock.now()


class Department(models.Model):
    """A node of the organisation tree. ``path`` ("/1/4/9/") makes subtree queries one LIKE."""

    name = models.CharField(max_length=100)
    code = models.CharField(max_length=50, unique=True, null=True, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=500, db_index=True, default="/")
    manager = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_departments"
    )
    sort_order = models.IntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A queue of people who share work (e.g. 售后一组); tickets can be assigned to a team."""

    name = models.CharField(max_length=100, unique=True)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="teams")
    lead = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Role(models.Model):
    """A set of permission codes plus a data scope; users may hold several roles."""

    key = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100, blank=True, default="")
    permissions = models.JSONField(default=list)
    data_scope = models.CharField(max_length=16, choices=DataScope.choices, default=DataScope.OWN)
    is_system = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in: agent, handler, supervisor, administrator ..."""

    display_name = models.CharField(max_length=100, blank=True, default="")
    phone = models.CharField(max_length=32, blank=True, default="")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    roles = models.ManyToManyField(Role, blank=True, related_name="users")
    availability = models.CharField(max_length=16, choices=Availability.choices, default=Availability.ON_DUTY)
    # Weekly working hours in the organisation's time zone, for assignment: {"1": [["09:00", "18:00"]], ...}
    # (ISO weekday 1 = Monday). Empty: no restriction (always within working hours).
    working_hours = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, blank=True, default="")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def label(self) -> str:
        return self.display_name or self.username


class UserSkill(models.Model):
    """What a user is skilled at, for skill-based assignment: a complaint category (with its
    subcategories), a product line or one product. ``level`` 1-5 ranks the skilled (higher first)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="skills")
    category = models.ForeignKey("tickets.Category", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    product_line = models.ForeignKey("customers.ProductLine", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="+")
    product = models.ForeignKey("customers.Product", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    level = models.PositiveSmallIntegerField(default=3)

    class Meta:
        ordering = ["user_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(category__isnull=False, product_line__isnull=True, product__isnull=True)
                    | models.Q(category__isnull=True, product_line__isnull=False, product__isnull=True)
                    | models.Q(category__isnull=True, product_line__isnull=True, product__isnull=False)
                ),
                name="user_skill_exactly_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"skill#{self.pk} of {self.user_id}"


class ApiToken(models.Model):
    """A named, revocable credential for integrations. Only a SHA-256 of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=_now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
