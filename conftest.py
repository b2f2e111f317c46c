"""Fixtures shared by every test: a controllable clock, a small organisation built through
actions, and API clients authenticated as each of its people."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from complaintdesk.accounts.access import forget_access
from complaintdesk.accounts.actions import (
    do_create_api_token,
    do_create_department,
    do_create_team,
    do_create_user,
)
from complaintdesk.accounts.models import Department, Role, Team, User
from complaintdesk.core import clock as cd_clock
from complaintdesk.core.options import clear_cache
from complaintdesk.customers.actions import do_create_customer, do_create_product, do_create_product_line
from complaintdesk.customers.models import Customer, Product
from complaintdesk.tickets.models import Category

PASSWORD = "Test-passw0rd!"


@pytest.fixture(autouse=True)
def _reset_state() -> Iterator[None]:
    clear_cache()
    cd_clock.set_now(None)
    yield
    cd_clock.set_now(None)
    clear_cache()


@pytest.fixture
def frozen_clock() -> Iterator[Any]:
    """The domain clock frozen at 2026-03-10 10:00 Asia/Shanghai (02:00 UTC); move it with
    ``frozen_clock.advance(timedelta(...))`` or ``frozen_clock.set(datetime)``."""

    class _Clock:
        def set(self, at: datetime) -> None:
            cd_clock.set_now(at)

        def advance(self, delta: Any) -> datetime:
            return cd_clock.advance(delta)

        def now(self) -> datetime:
            return cd_clock.now()

    cd_clock.set_now(datetime(2026, 3, 10, 2, 0, tzinfo=UTC))
    yield _Clock()
    cd_clock.set_now(None)


class ApiClient:
    """A JSON client for /api/v1 authenticated with a real API token of ``user``."""

    def __init__(self, user: User | None, token: str | None) -> None:
        self.user = user
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    def _url(self, path: str) -> str:
        return path if path.startswith("/") else f"/api/v1/{path}"

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(self._url(path), params or {}, **self.headers)

    def post(self, path: str, data: Any = None) -> Any:
        return self.client.post(self._url(path), json.dumps(data if data is not None else {}),
                                content_type="application/json", **self.headers)

    def patch(self, path: str, data: Any) -> Any:
        return self.client.patch(self._url(path), json.dumps(data), content_type="application/json",
                                 **self.headers)

    def put(self, path: str, data: Any) -> Any:
        return self.client.put(self._url(path), json.dumps(data), content_type="application/json",
                               **self.headers)

    def delete(self, path: str) -> Any:
        return self.client.delete(self._url(path), **self.headers)

    def upload(self, path: str, name: str, content: bytes) -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        return self.client.post(self._url(path), {"file": SimpleUploadedFile(name, content)}, **self.headers)


@dataclass
class Org:
    """A small company: 客服部 (two agent teams), 售后部 with a sub-department 维修组, 质量部."""

    service: Department
    after_sales: Department
    repair: Department
    quality_dept: Department
    team_a: Team
    team_b: Team
    admin: User
    supervisor: User
    agent_a: User
    agent_b: User
    handler: User
    repair_handler: User
    quality: User
    auditor: User
    nobody: User
    customer: Customer
    vip: Customer
    product: Product
    categories: dict[str, Category]

    def client(self, user: User | None) -> ApiClient:
        if user is None:
            return ApiClient(None, None)
        forget_access(user)
        _, secret = do_create_api_token(user=user, name="test", actor=None)
        return ApiClient(user, secret)


def _user(username: str, role: str | None, dept: Department | None, teams: list[Team] | None = None,
          superuser: bool = False) -> User:
    return do_create_user(
        username=username, password=PASSWORD, display_name=username.replace("_", " ").title(),
        department=dept, roles=list(Role.objects.filter(key=role)) if role else [], teams=teams or [],
        is_superuser=superuser, actor=None,
    )


@pytest.fixture
def org(db: Any) -> Org:
    service = do_create_department(name="客服部", code="service", actor=None)
    after_sales = do_create_department(name="售后部", code="after_sales", actor=None)
    repair = do_create_department(name="维修组", code="repair", parent=after_sales, actor=None)
    quality_dept = do_create_department(name="质量部", code="quality", actor=None)
    team_a = do_create_team(name="客服一组", department=service, actor=None)
    team_b = do_create_team(name="客服二组", department=service, actor=None)
    line = do_create_product_line(name="智能手机", actor=None)
    return Org(
        service=service, after_sales=after_sales, repair=repair, quality_dept=quality_dept,
        team_a=team_a, team_b=team_b,
        admin=_user("admin", "admin", service, superuser=True),
        supervisor=_user("supervisor", "supervisor", service),
        agent_a=_user("agent_a", "agent", service, [team_a]),
        agent_b=_user("agent_b", "agent", service, [team_b]),
        handler=_user("handler", "handler", after_sales),
        repair_handler=_user("repair_handler", "handler", repair),
        quality=_user("quality", "quality", quality_dept),
        auditor=_user("auditor", "auditor", quality_dept),
        nobody=_user("nobody", None, None),
        customer=do_create_customer(name="张三", phone="13800138000", actor=None),
        vip=do_create_customer(name="李四", phone="13900139000", tier="vip", actor=None),
        product=do_create_product(sku="PH-001", name="星辰 X1 手机", line=line, actor=None),
        categories={c.key: c for c in Category.objects.all()},
    )
