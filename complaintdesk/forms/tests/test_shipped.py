"""The shipped forms: valid for the publish validator, published by the migration, and each one
accepting a realistic submission (formulas computed, conditional fields shown and hidden)."""

from __future__ import annotations

from typing import Any

import pytest

from complaintdesk.forms.actions import do_create_form, do_publish_draft, do_save_draft
from complaintdesk.forms.models import Form
from complaintdesk.forms.schema import validate_schema
from complaintdesk.forms.shipped import SHIPPED_FORM_FILES, load_shipped_forms
from complaintdesk.forms.tests.conftest import evaluate

pytestmark = pytest.mark.django_db

IMAGE = {"id": "upload_1", "name": "photo.jpg", "size": 120_000, "content_type": "image/jpeg"}
SIGNATURE = {"id": "upload_2", "name": "sign.png", "size": 20_000, "content_type": "image/png"}
ADDRESS = {"province": "440000", "city": "440300", "district": "440305", "detail": "科技园南路 1 号"}


def _samples(org):
    return {
        "general": {"contact_name": "王五", "contact_phone": "13800138000", "complaint_type": "pricing",
                    "subject": "收费与宣传不符", "description": "门店收取的安装费与官网宣传不一致。",
                    "occurred_on": "2026-03-01", "amount_involved": "200", "expectation": "refund",
                    "refund_amount": "150", "agree": True},
        "product_quality": {"contact_name": "王五", "contact_phone": "13800138000", "product": org.product.pk,
                            "batch_number": "B2026-0310", "purchase_date": "2025-12-10",
                            "defects": ["battery", "other"],
                            "defect_other": "充电口松动", "description": "使用三个月后电池续航明显下降。",
                            "photos": [IMAGE], "expectation": "repair"},
        "logistics": {"contact_name": "王五", "contact_phone": "13800138000", "order_number": "JD20260301001",
                      "carrier": "sf", "waybill_number": "SF1234567890", "issue": "delay",
                      "promised_date": "2026-03-05", "received_date": "2026-03-08", "description": "晚到三天。"},
        "service_attitude": {"contact_name": "王五", "contact_phone": "010-12345678", "touchpoint": "store",
                             "store_name": "南山旗舰店", "occurred_at": "2026-03-09T15:00:00+08:00",
                             "behaviours": ["rude", "ignored", "misleading"], "description": "店员态度恶劣，拒绝处理。",
                             "satisfaction": 1, "callback": True, "callback_slot": "evening"},
        "onsite_service": {"contact_name": "王五", "contact_phone": "13800138000", "service_type": "repair",
                           "service_address": ADDRESS, "location": {"lat": 22.54, "lng": 113.95, "accuracy": 15},
                           "arrived_at": "2026-03-10T08:00:00+08:00", "finished_at": "2026-03-10T09:30:00+08:00",
                           "parts": [{"part_name": "主板", "qty": 1, "unit_price": "300"},
                                     {"part_name": "螺丝", "qty": 4, "unit_price": "0.5"}],
                           "result": "partial", "follow_up": "等待备件再次上门",
                           "photos": [IMAGE], "customer_signature": SIGNATURE},
    }


EXPECTED: dict[str, dict[str, Any]] = {
    "general": {"days_since": 9, "refund_amount": "150.00"},
    "product_quality": {"days_owned": 90, "in_warranty": True, "defect_other": "充电口松动"},
    "logistics": {"delay_days": 3},
    "service_attitude": {"severity": "high", "store_name": "南山旗舰店"},
    "onsite_service": {"hours_on_site": 1.5, "parts_total": "302.00"},
}


@pytest.mark.parametrize("shipped", load_shipped_forms(), ids=SHIPPED_FORM_FILES)
def test_shipped_schema_passes_the_publish_validator(shipped):
    assert [p.as_dict() for p in validate_schema(shipped["schema"])] == []


def test_the_migration_published_every_shipped_form(db):
    forms = {f.key: f for f in Form.objects.filter(key__in=SHIPPED_FORM_FILES).select_related("category")}
    assert set(forms) == set(SHIPPED_FORM_FILES)
    for shipped in load_shipped_forms():
        form = forms[shipped["form"]["key"]]
        version = form.versions.get()
        assert (version.number, version.status, version.schema) == (1, "published", shipped["schema"])
        assert (form.category.key if form.category else None) == shipped["form"]["category"]
    general = forms["general"]
    assert (general.name, general.is_public, general.public_slug) == ("通用投诉", True, "general")
    assert not any(forms[k].is_public for k in SHIPPED_FORM_FILES if k != "general")


@pytest.mark.parametrize("name", SHIPPED_FORM_FILES)
def test_shipped_form_publishes_through_the_actions_and_accepts_a_sample(org, name):
    shipped = next(s for s in load_shipped_forms() if s["form"]["key"] == name)
    copy = do_create_form(key=f"copy-{name.replace('_', '-')}", name=shipped["form"]["name"], actor=org.admin)
    do_save_draft(copy, schema=shipped["schema"], actor=org.admin)
    assert do_publish_draft(copy, actor=org.admin).status == "published"
    result = evaluate(shipped["schema"], _samples(org)[name], verify_orders=False)
    assert result.errors == {}
    assert result.formula_errors == {}
    for key, value in EXPECTED[name].items():
        assert result.values[key] == value, key


def test_conditional_fields_of_the_shipped_forms(org):
    schemas = {s["form"]["key"]: s["schema"] for s in load_shipped_forms()}
    general = _samples(org)["general"]
    # Another expectation: the refund amount is hidden (dropped), the "other" text becomes required.
    result = evaluate(schemas["general"], {**general, "expectation": "other"})
    assert "refund_amount" not in result.values
    assert [e["code"] for e in result.errors["expectation_other"]] == ["required"]
    # A safety risk needs its details; damaged parcels need photos.
    quality = evaluate(schemas["product_quality"], {**_samples(org)["product_quality"], "safety_risk": True})
    assert [e["code"] for e in quality.errors["safety_detail"]] == ["required"]
    logistics = evaluate(schemas["logistics"], {**_samples(org)["logistics"], "issue": "damaged"},
                         verify_orders=False)
    assert set(logistics.errors) == {"photos"}
    assert "promised_date" not in logistics.values
    onsite = evaluate(schemas["onsite_service"], {**_samples(org)["onsite_service"], "result": "resolved",
                                                  "service_type": "install"})
    assert "parts" not in onsite.values and "follow_up" not in onsite.values
    assert onsite.values["parts_total"] == "0.00"
