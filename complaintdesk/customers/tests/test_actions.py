"""Customer and product actions: audit, external ids, matching at intake, the catalogue."""

from __future__ import annotations

from datetime import timedelta

import pytest

from complaintdesk.core.errors import Conflict, InvalidInput
from complaintdesk.core.models import AuditLog, Outbox
from complaintdesk.customers.actions import (
    do_create_customer,
    do_create_product,
    do_create_product_line,
    do_find_or_create_customer,
    do_update_customer,
    do_update_product,
    find_customer,
)
from complaintdesk.customers.models import Customer, Product, ProductLine
from complaintdesk.customers.queries import get_customer, list_customers


def audit_rows(action: str, obj) -> list[AuditLog]:
    return list(AuditLog.objects.filter(action=action, object_type=obj._meta.model_name, object_id=str(obj.pk))
                .order_by("id"))


def external_ids(customer: Customer) -> dict[str, str]:
    return dict(customer.external_ids.values_list("system", "value"))


# --- create and update --------------------------------------------------------------------


def test_create_customer_writes_audit_and_event(org, frozen_clock):
    customer = do_create_customer(name="  王五 ", phone="13700137000", email="wang@example.com", tier="gold",
                                  tags=["经销商"], external_ids={"crm": "C-1", "wechat_openid": "o-abc"},
                                  actor=org.agent_a)
    assert customer.name == "王五"
    assert customer.created_at == customer.updated_at == frozen_clock.now()
    assert external_ids(customer) == {"crm": "C-1", "wechat_openid": "o-abc"}
    rows = audit_rows("customer.created", customer)
    assert len(rows) == 1
    assert rows[0].actor == org.agent_a
    assert rows[0].data == {"name": "王五"}
    assert Outbox.objects.filter(topic="customer.created", payload={"customer_id": customer.pk}).count() == 1


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"name": "  "}, "name"),
    ({"name": "x", "tier": "diamond"}, "tier"),
    ({"name": "x", "tier": ""}, "tier"),
    ({"name": "x", "external_ids": {"myspace": "1"}}, "external_ids"),
])
def test_create_customer_rejects_invalid_input(db, kwargs, field):
    with pytest.raises(InvalidInput) as exc:
        do_create_customer(actor=None, **kwargs)
    assert field in exc.value.details
    assert not Customer.objects.exists()
    assert not AuditLog.objects.exists()


def test_create_customer_rejects_unknown_fields(db):
    with pytest.raises(InvalidInput):
        do_create_customer(name="x", vip_level=3, actor=None)


def test_update_customer_audits_the_diff(org, frozen_clock):
    customer = org.customer
    frozen_clock.advance(timedelta(hours=1))
    do_update_customer(customer, tier="gold", region="上海", phone=customer.phone, actor=org.supervisor)
    customer.refresh_from_db()
    assert customer.tier == "gold"
    assert customer.region == "上海"
    assert customer.updated_at == frozen_clock.now()
    row = audit_rows("customer.updated", customer)[-1]
    assert row.actor == org.supervisor
    assert row.data == {"tier": {"old": "normal", "new": "gold"}, "region": {"old": "", "new": "上海"}}
    event = Outbox.objects.filter(topic="customer.updated").latest("id")
    assert event.payload == {"customer_id": customer.pk, "changes": ["region", "tier"]}


def test_update_customer_without_changes_writes_nothing(org):
    audits, events = AuditLog.objects.count(), Outbox.objects.count()
    before = Customer.objects.get(pk=org.customer.pk).updated_at
    do_update_customer(org.customer, name=org.customer.name, tier=org.customer.tier, actor=None)
    assert (AuditLog.objects.count(), Outbox.objects.count()) == (audits, events)
    assert Customer.objects.get(pk=org.customer.pk).updated_at == before


def test_update_customer_rejects_invalid_values(org):
    with pytest.raises(InvalidInput):
        do_update_customer(org.customer, tier="platinum", actor=None)
    with pytest.raises(InvalidInput):
        do_update_customer(org.customer, name="", actor=None)
    with pytest.raises(InvalidInput):
        do_update_customer(org.customer, created_at=None, actor=None)
    org.customer.refresh_from_db()
    assert org.customer.tier == "normal"
    assert org.customer.name == "张三"


# --- external ids -------------------------------------------------------------------------


def test_external_ids_are_unique_per_system(org):
    do_update_customer(org.customer, external_ids={"crm": "C-100"}, actor=None)
    with pytest.raises(Conflict) as exc:
        do_create_customer(name="冒名", external_ids={"crm": "C-100"}, actor=None)
    assert exc.value.details == {"customer_id": org.customer.pk}
    assert not Customer.objects.filter(name="冒名").exists()
    with pytest.raises(Conflict):
        do_update_customer(org.vip, external_ids={"crm": "C-100"}, actor=None)
    assert external_ids(org.vip) == {}
    # The same value in another system is a different id.
    other = do_create_customer(name="另一个", external_ids={"shop": "C-100"}, actor=None)
    assert external_ids(other) == {"shop": "C-100"}


def test_setting_the_same_external_id_again_is_allowed(org):
    do_update_customer(org.customer, external_ids={"crm": "C-1"}, actor=None)
    do_update_customer(org.customer, external_ids={"crm": "C-1"}, actor=None)
    assert external_ids(org.customer) == {"crm": "C-1"}


def test_update_replaces_the_value_of_a_system(org):
    do_update_customer(org.customer, external_ids={"crm": "C-1"}, actor=None)
    do_update_customer(org.customer, external_ids={"crm": "C-2", "wecom": "w-1"}, actor=org.admin)
    assert external_ids(org.customer) == {"crm": "C-2", "wecom": "w-1"}
    assert audit_rows("customer.updated", org.customer)[-1].data["external_ids"]["new"] == {"crm": "C-2",
                                                                                              "wecom": "w-1"}
    # The old value is free again.
    do_create_customer(name="新客户", external_ids={"crm": "C-1"}, actor=None)


# --- find or create -----------------------------------------------------------------------


def test_find_or_create_matches_external_id_first(org):
    do_update_customer(org.vip, external_ids={"wechat_openid": "o-vip"}, actor=None)
    # The phone belongs to 张三 but the openid to 李四: the external id wins.
    found = do_find_or_create_customer(name="someone", phone=org.customer.phone,
                                       external_ids={"wechat_openid": "o-vip"}, actor=None)
    assert found == org.vip


def test_find_or_create_matches_phone_before_email(org):
    do_update_customer(org.vip, email="li@example.com", actor=None)
    found = do_find_or_create_customer(name="x", phone=org.customer.phone, email="li@example.com", actor=None)
    assert found == org.customer
    by_email = do_find_or_create_customer(name="x", email="LI@Example.com", actor=None)
    assert by_email == org.vip


def test_find_or_create_adds_new_external_ids_to_the_match(org):
    count = Customer.objects.count()
    found = do_find_or_create_customer(name="张三", phone=org.customer.phone,
                                       external_ids={"wechat_openid": "o-zs", "crm": "C-9"}, actor=None)
    assert found == org.customer
    assert Customer.objects.count() == count
    assert external_ids(org.customer) == {"wechat_openid": "o-zs", "crm": "C-9"}
    # Next time the openid alone is enough, even with another phone number.
    again = do_find_or_create_customer(name="?", phone="10000000000", external_ids={"wechat_openid": "o-zs"},
                                       actor=None)
    assert again == org.customer


def test_find_or_create_keeps_a_matched_customers_own_id_in_a_system(org):
    do_update_customer(org.customer, external_ids={"crm": "C-1"}, actor=None)
    found = do_find_or_create_customer(name="x", external_ids={"crm": "C-1", "shop": "S-1"}, actor=None)
    assert found == org.customer
    assert external_ids(org.customer) == {"crm": "C-1", "shop": "S-1"}


def test_find_or_create_creates_when_nothing_matches(org):
    created = do_find_or_create_customer(name="", phone="13600136000", external_ids={"dingtalk": "d-1"},
                                         tier="silver", actor=None)
    assert created.pk not in (org.customer.pk, org.vip.pk)
    assert created.name == "13600136000"  # falls back to the phone
    assert created.tier == "silver"
    assert external_ids(created) == {"dingtalk": "d-1"}
    anonymous = do_find_or_create_customer(name="", actor=None)
    assert anonymous.name == "匿名客户"


def test_find_customer_without_any_key_finds_nobody(org):
    assert find_customer() is None
    assert find_customer(phone="000") is None


# --- queries ------------------------------------------------------------------------------


def test_search_by_name_phone_prefix_email_and_external_id(org):
    do_update_customer(org.vip, email="li4@example.com", company="星辰科技", external_ids={"crm": "CRM-42"},
                       actor=None)

    def names(**kwargs):
        return sorted(c.name for c in list_customers(**kwargs))

    assert names(q="张") == ["张三"]
    assert names(q="139001") == ["李四"]
    assert names(q="138") == ["张三"]
    assert names(q="00139000") == []  # a prefix, not a substring
    assert names(q="LI4@") == ["李四"]
    assert names(q="星辰") == ["李四"]
    assert names(q="CRM-42") == ["李四"]
    assert names(q="CRM-4") == []  # external ids match exactly
    assert names(tier="vip") == ["李四"]
    assert names(phone=" 13800138000 ") == ["张三"]


def test_ticket_count(org):
    from complaintdesk.tickets.actions import do_create_ticket

    do_create_ticket(actor=org.agent_a, subject="屏幕碎了", customer=org.customer)
    do_create_ticket(actor=org.agent_a, subject="电池鼓包", customer=org.customer)
    assert get_customer(customer_id=org.customer.pk, with_counts=True).ticket_count == 2
    assert get_customer(customer_id=org.vip.pk, with_counts=True).ticket_count == 0


# --- catalogue ----------------------------------------------------------------------------


def test_product_lines_and_products(org):
    line = do_create_product_line(name=" 家用电器 ", code="APP", actor=org.admin)
    assert line.name == "家用电器"
    assert audit_rows("product_line.created", line)[0].actor == org.admin
    with pytest.raises(Conflict):
        do_create_product_line(name="家用电器", actor=None)
    with pytest.raises(InvalidInput):
        do_create_product_line(name=" ", actor=None)
    assert ProductLine.objects.filter(name="家用电器").count() == 1

    product = do_create_product(sku=" AP-100 ", name="空气净化器", line=line, actor=org.admin)
    assert product.sku == "AP-100"
    assert audit_rows("product.created", product)[0].data == {"sku": "AP-100"}
    with pytest.raises(Conflict):
        do_create_product(sku="AP-100", name="另一个", line=None, actor=None)
    with pytest.raises(InvalidInput) as exc:
        do_create_product(sku="", name="", line=None, actor=None)
    assert set(exc.value.details) == {"sku", "name"}
    assert Product.objects.filter(sku="AP-100").count() == 1


def test_update_product(org):
    product = org.product
    do_update_product(product, is_active=False, line=None, actor=org.admin)
    product.refresh_from_db()
    assert product.is_active is False
    assert product.line is None
    data = audit_rows("product.updated", product)[-1].data
    assert data["is_active"] == {"old": True, "new": False}
    assert data["line"]["new"] is None
    with pytest.raises(InvalidInput):
        do_update_product(product, sku="NEW", actor=None)

