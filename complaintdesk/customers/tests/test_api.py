"""Customer and catalogue endpoints: validation, conflicts, search, counts, permissions."""

from __future__ import annotations

import pytest

from complaintdesk.accounts import permissions as P
from complaintdesk.core.models import AuditLog
from complaintdesk.customers.actions import do_update_customer
from complaintdesk.customers.models import Customer, Product, ProductLine
from complaintdesk.tickets.actions import do_create_ticket


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}, body
    if code is not None:
        assert body["code"] == code, body
    return body


# --- customers ----------------------------------------------------------------------------


def test_create_customer(org):
    api = org.client(org.agent_a)
    response = api.post("customers", {
        "name": "王五", "phone": "13700137000", "email": "wang@example.com", "tier": "gold", "region": "上海",
        "tags": ["经销商"], "external_ids": {"crm": "C-1"}, "account_owner_id": org.supervisor.pk,
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "王五"
    assert body["tier"] == "gold"
    assert body["external_ids"] == {"crm": "C-1"}
    assert body["account_owner"]["username"] == "supervisor"
    assert body["ticket_count"] == 0
    audit = AuditLog.objects.get(action="customer.created", object_id=str(body["id"]))
    assert audit.actor == org.agent_a


def test_get_customer_with_ticket_count(org):
    api = org.client(org.auditor)
    do_create_ticket(actor=org.agent_a, subject="屏幕碎了", customer=org.customer)
    do_create_ticket(actor=org.agent_a, subject="又碎了", customer=org.customer)
    do_create_ticket(actor=org.agent_a, subject="别人的", customer=org.vip)
    assert api.get(f"customers/{org.customer.pk}").json()["ticket_count"] == 2
    assert api.get(f"customers/{org.vip.pk}").json()["ticket_count"] == 1
    assert_error(api.get("customers/999999"), 404, "not_found")


@pytest.mark.parametrize(("payload", "field"), [
    ({"name": "x", "email": "not-an-email"}, "email"),
    ({"name": "x", "email": "a@b"}, "email"),
    ({"name": "x", "tier": "diamond"}, "tier"),
    ({"name": "x", "external_ids": {"myspace": "1"}}, "external_ids"),
    ({"name": "x", "account_owner_id": 999999}, "account_owner_id"),
])
def test_create_customer_rejects_invalid_values(org, payload, field):
    before = Customer.objects.count()
    body = assert_error(org.client(org.agent_a).post("customers", payload), 422, "validation_error")
    assert field in body["details"]
    assert Customer.objects.count() == before


@pytest.mark.parametrize("payload", [
    {"name": ""},
    {"phone": "1"},
    {"name": "x", "tags": "vip"},
    {"name": "x", "tags": [1, 2]},
    {"name": "x", "external_ids": ["crm", "C-1"]},
    {"name": "x", "external_ids": {"crm": 1}},
    {"name": "x", "account_owner_id": "me"},
    {"name": "x" * 201},
    {"name": "x", "phone": "1" * 33},
    [],
    None,
])
def test_create_customer_rejects_wrong_types(org, payload):
    before = Customer.objects.count()
    assert_error(org.client(org.agent_a).post("customers", payload), 422, "validation_error")
    assert Customer.objects.count() == before


def test_malformed_json_is_400(org):
    api = org.client(org.agent_a)
    for path, method in (("/api/v1/customers", "post"), (f"/api/v1/customers/{org.customer.pk}", "patch"),
                         ("/api/v1/products", "post")):
        response = getattr(api.client, method)(path, '{"name": ', content_type="application/json", **api.headers)
        assert_error(response, 400, "bad_request")


def test_external_id_conflict_is_409(org):
    api = org.client(org.agent_a)
    do_update_customer(org.customer, external_ids={"crm": "C-1"}, actor=None)
    body = assert_error(api.post("customers", {"name": "冒名", "external_ids": {"crm": "C-1"}}), 409, "conflict")
    assert body["details"] == {"customer_id": org.customer.pk}
    assert not Customer.objects.filter(name="冒名").exists()
    assert_error(api.patch(f"customers/{org.vip.pk}", {"external_ids": {"crm": "C-1"}}), 409, "conflict")
    assert api.get(f"customers/{org.vip.pk}").json()["external_ids"] == {}


def test_patch_customer(org):
    api = org.client(org.agent_a)
    response = api.patch(f"customers/{org.customer.pk}", {"tier": "silver", "email": "zs@example.com",
                                                          "external_ids": {"wechat_openid": "o-1"}})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["tier"] == "silver"
    assert body["email"] == "zs@example.com"
    assert body["external_ids"] == {"wechat_openid": "o-1"}
    assert body["name"] == "张三"  # untouched
    audit = AuditLog.objects.filter(action="customer.updated", object_id=str(org.customer.pk)).latest("id")
    assert audit.actor == org.agent_a
    assert audit.data["tier"] == {"old": "normal", "new": "silver"}


def test_patch_customer_account_owner_set_and_clear(org):
    api = org.client(org.agent_a)
    assert api.patch(f"customers/{org.vip.pk}", {"account_owner_id": org.agent_a.pk}).json()[
        "account_owner"]["username"] == "agent_a"
    assert api.patch(f"customers/{org.vip.pk}", {"account_owner_id": None}).json()["account_owner"] is None


@pytest.mark.parametrize("payload", [
    {"email": "nope"}, {"tier": "diamond"}, {"name": ""}, {"tags": "x"}, {"account_owner_id": 999999},
    {"external_ids": {"icq": "1"}},
])
def test_patch_customer_rejects_invalid_values(org, payload):
    before = Customer.objects.filter(pk=org.customer.pk).values().get()
    assert_error(org.client(org.agent_a).patch(f"customers/{org.customer.pk}", payload), 422, "validation_error")
    assert Customer.objects.filter(pk=org.customer.pk).values().get() == before


def test_patch_unknown_customer_is_404(org):
    assert_error(org.client(org.agent_a).patch("customers/999999", {"tier": "gold"}), 404, "not_found")


def test_search_customers(org):
    do_update_customer(org.vip, external_ids={"shop": "TB-778"}, company="星辰科技", actor=None)
    api = org.client(org.agent_b)

    def names(**params):
        body = api.get("customers", params).json()
        return [c["name"] for c in body["items"]]

    assert names(q="张三") == ["张三"]
    assert names(q="1390013") == ["李四"]
    assert names(q="TB-778") == ["李四"]
    assert names(q="星辰") == ["李四"]
    assert names(q="13") == ["李四", "张三"]  # newest first
    assert names(q="nobody-here") == []
    assert names(tier="vip") == ["李四"]
    assert names(phone="13800138000") == ["张三"]
    page = api.get("customers", {"page_size": 1}).json()
    assert page["count"] == 2 and len(page["items"]) == 1
    assert_error(api.get("customers", {"page_size": 1000}), 422, "validation_error")


# --- products -----------------------------------------------------------------------------


def test_create_product_line_and_product(org):
    api = org.client(org.admin)
    line = api.post("product-lines", {"name": "家用电器", "code": "APP"})
    assert line.status_code == 201, line.content
    line_id = line.json()["id"]
    product = api.post("products", {"sku": "AP-100", "name": "空气净化器", "line_id": line_id})
    assert product.status_code == 201, product.content
    assert product.json()["line"] == {"id": line_id, "name": "家用电器"}
    assert product.json()["is_active"] is True
    assert AuditLog.objects.filter(action="product.created", actor=org.admin).exists()

    listed = org.client(org.agent_a).get("products", {"line_id": line_id}).json()
    assert [p["sku"] for p in listed] == ["AP-100"]
    assert [p["sku"] for p in org.client(org.agent_a).get("products", {"q": "净化"}).json()] == ["AP-100"]
    assert "家用电器" in [pl["name"] for pl in org.client(org.agent_a).get("product-lines").json()]


def test_product_conflicts_and_bad_references(org):
    api = org.client(org.admin)
    assert_error(api.post("products", {"sku": "PH-001", "name": "重复"}), 409, "conflict")
    assert_error(api.post("product-lines", {"name": "智能手机"}), 409, "conflict")
    body = assert_error(api.post("products", {"sku": "X-1", "name": "X", "line_id": 999999}), 422,
                        "validation_error")
    assert body["details"] == {"line_id": 999999}
    assert_error(api.post("products", {"sku": "", "name": "X"}), 422, "validation_error")
    assert_error(api.post("products", {"sku": "X-1"}), 422, "validation_error")
    assert_error(api.post("products", {"sku": 5, "name": "X"}), 422, "validation_error")
    assert not Product.objects.filter(sku="X-1").exists()


def test_patch_product(org):
    api = org.client(org.admin)
    response = api.patch(f"products/{org.product.pk}", {"is_active": False, "line_id": None})
    assert response.status_code == 200, response.content
    assert response.json()["is_active"] is False
    assert response.json()["line"] is None
    active = [p["sku"] for p in api.get("products", {"active": "true"}).json()]
    assert "PH-001" not in active
    assert_error(api.patch(f"products/{org.product.pk}", {"line_id": 999999}), 422, "validation_error")
    assert_error(api.patch("products/999999", {"name": "x"}), 404, "not_found")


# --- permissions --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["agent_a", "supervisor", "handler", "auditor", "nobody"])
def test_catalogue_writes_need_product_manage(org, who):
    api = org.client(getattr(org, who))
    counts = (Product.objects.count(), ProductLine.objects.count())
    for response in (api.post("products", {"sku": "NEW-1", "name": "新品"}),
                     api.post("product-lines", {"name": "新产品线"}),
                     api.patch(f"products/{org.product.pk}", {"name": "改名"})):
        body = assert_error(response, 403, "permission_denied")
        assert body["details"] == {"permission": P.PRODUCT_MANAGE}
    assert (Product.objects.count(), ProductLine.objects.count()) == counts
    assert Product.objects.get(pk=org.product.pk).name == "星辰 X1 手机"


@pytest.mark.parametrize("who", ["handler", "quality", "auditor", "nobody"])
def test_customer_writes_need_customer_manage(org, who):
    api = org.client(getattr(org, who))
    before = Customer.objects.count()
    assert_error(api.post("customers", {"name": "新客户"}), 403, "permission_denied")
    assert_error(api.patch(f"customers/{org.customer.pk}", {"tier": "vip"}), 403, "permission_denied")
    assert Customer.objects.count() == before
    assert Customer.objects.get(pk=org.customer.pk).tier == "normal"


def test_customer_reads_need_customer_view(org):
    api = org.client(org.nobody)
    assert_error(api.get("customers"), 403, "permission_denied")
    assert_error(api.get(f"customers/{org.customer.pk}"), 403, "permission_denied")
    assert_error(api.get("products"), 403, "permission_denied")
    assert_error(api.get("product-lines"), 403, "permission_denied")
    assert org.client(org.handler).get("customers").status_code == 200


def test_customers_need_authentication(org):
    from django.test import Client

    for path in ("/api/v1/customers", f"/api/v1/customers/{org.customer.pk}", "/api/v1/products"):
        assert_error(Client().get(path), 401, "unauthenticated")
