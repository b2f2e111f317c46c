"""Demo tickets filled through the shipped forms (``complaintdesk/forms/shipped``), so the demo
shows custom fields: which form a planned ticket uses, and plausible values for it.

Values are drawn from their own random stream (seeded from the ticket's seed), so adding forms
does not change the rest of a ticket's story. Photo fields get a small generated image uploaded
by the ticket's creator, which the ticket turns into an attachment.
"""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from PIL import Image

from complaintdesk.forms.choices import VersionStatus
from complaintdesk.forms.models import FormVersion
from complaintdesk.tickets.uploads import do_create_upload, upload_reference

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User
    from complaintdesk.customers.models import Customer, Product

# Share of tickets (among those a form fits) filled through a form; the rest are free-form.
FORM_SHARE = 0.68
FORM_KEYS = ("general", "product_quality", "logistics", "service_attitude", "onsite_service")

FORM_OF_TOP: dict[str, str] = {"product_quality": "product_quality", "logistics": "logistics",
                               "service_attitude": "service_attitude"}
COMPLAINT_TYPE_OF_TOP: dict[str, str] = {
    "product_quality": "product", "logistics": "logistics", "service_attitude": "service",
    "after_sales": "after_sales", "pricing": "pricing", "safety": "product",
}
DEFECTS_OF: dict[str, list[str]] = {
    "malfunction": ["no_power", "noise", "overheating", "battery"], "appearance_defect": ["appearance", "broken"],
    "performance": ["battery", "noise", "other"], "workmanship": ["appearance", "broken", "other"],
}
ISSUE_OF: dict[str, str] = {"delivery_delay": "delay", "damaged_package": "damaged", "wrong_item": "wrong_item",
                            "courier_attitude": "courier"}
BEHAVIOURS_OF: dict[str, list[str]] = {"agent_attitude": ["rude", "ignored", "misleading"],
                                       "slow_response": ["slow", "ignored"], "broken_promise": ["broken_promise"]}
CARRIERS = ("sf", "jd", "ems", "zto", "yto", "sto", "yunda")
STORES = ("万达广场店", "天河城店", "西单大悦城店", "新街口店", "春熙路店", "解放碑店")
PHOTO_COLOURS = ((214, 204, 190), (120, 120, 126), (240, 240, 236), (60, 72, 90))


def published_versions() -> dict[str, FormVersion]:
    """The published version of each shipped form still present (an admin may have removed one)."""
    versions = FormVersion.objects.select_related("form").filter(form__key__in=FORM_KEYS,
                                                                 status=VersionStatus.PUBLISHED)
    return {v.form.key: v for v in versions}


def choose_form(rng: random.Random, *, top: str, channel: str, has_product: bool, has_phone: bool,
                versions: dict[str, FormVersion]) -> FormVersion | None:
    """The shipped form an intake of this kind would use, or None (free-form ticket)."""
    if rng.random() >= FORM_SHARE or not has_phone:
        return None
    key = FORM_OF_TOP.get(top, "general")
    if key == "product_quality" and not has_product:
        key = "general"
    version = versions.get(key)
    if version is None or channel not in (version.form.channels or []):
        version = versions.get("general")
        if version is None or channel not in (version.form.channels or []):
            return None
    return version


def _photo(rng: random.Random) -> bytes:
    # Small and fast to encode: the demo needs something to show, not a real picture.
    img = Image.new("RGB", (64, 48), rng.choice(PHOTO_COLOURS))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def _photos(rng: random.Random, uploader: User | None, count: int) -> list[dict[str, Any]]:
    return [upload_reference(do_create_upload(content=_photo(rng), name=f"IMG_{rng.randrange(1000, 9999)}.png",
                                              actor=uploader)) for _ in range(count)]


def _day(at: datetime) -> str:
    return timezone.localtime(at).date().isoformat()


def form_values(rng: random.Random, version: FormVersion, *, top: str, category_key: str, subject: str,
                description: str, customer: Customer, product: Product | None, order_number: str, batch: str,
                uploader: User | None, now: datetime) -> dict[str, Any]:
    """Plausible values of ``version``'s form for a planned ticket (valid against the form)."""
    key = version.form.key
    description = description if len(description) >= 10 else (description + "，请尽快处理。问题一直没有解决。")
    values: dict[str, Any] = {"contact_name": customer.name[:50], "contact_phone": customer.phone}
    purchased = now - timedelta(days=rng.randint(3, 200))
    if key == "product_quality":
        assert product is not None
        defects = DEFECTS_OF.get(category_key) or ["other"]
        chosen = sorted(set(rng.sample(defects, k=rng.randint(1, min(2, len(defects))))))
        values.update({
            "product": {"id": product.pk}, "sku": product.sku[:64] if product.sku else None,
            "batch_number": batch or f"B{purchased:%y%m}{rng.randrange(100, 999)}",
            "purchase_date": _day(purchased), "purchase_channel": rng.choice(["official", "jd", "tmall", "offline"]),
            "order_number": order_number or None, "defects": chosen, "description": description,
            "photos": _photos(rng, uploader, rng.choice([1, 1, 1, 2])),
            "expectation": rng.choice(["repair", "exchange", "exchange", "refund"]),
        })
        if "other" in chosen:
            values["defect_other"] = "使用一段时间后出现异常"
        if top == "safety" or rng.random() < 0.05:
            values.update({"safety_risk": True, "safety_detail": "使用时有明显发烫和焦糊味，担心有安全隐患。"})
    elif key == "logistics":
        issue = ISSUE_OF.get(category_key, "delay")
        values.update({
            "order_number": order_number or f"SO{purchased:%Y%m%d}{rng.randrange(10**6):06d}",
            "carrier": rng.choice(CARRIERS), "waybill_number": f"{rng.choice(['SF', 'JD', 'YT', 'ZT'])}"
                                                              f"{rng.randrange(10**11, 10**12)}",
            "issue": issue, "description": description,
        })
        if issue == "delay":
            promised = now - timedelta(days=rng.randint(2, 6))
            values.update({"promised_date": _day(promised), "received_date": _day(now)})
        if issue == "damaged":
            values["photos"] = _photos(rng, uploader, 1)
    elif key == "service_attitude":
        touchpoint = rng.choice(["hotline", "online", "store", "on_site", "courier"])
        values.update({
            "touchpoint": touchpoint, "occurred_at": (now - timedelta(hours=rng.randint(1, 72))).isoformat(),
            "behaviours": BEHAVIOURS_OF.get(category_key) or ["rude"], "description": description,
            "satisfaction": rng.choice([1, 1, 2]),
        })
        if touchpoint == "store":
            values["store_name"] = rng.choice(STORES)
        if rng.random() < 0.4:
            values.update({"callback": True, "callback_slot": rng.choice(["morning", "afternoon", "evening"])})
    else:
        values.update({
            "complaint_type": COMPLAINT_TYPE_OF_TOP.get(top, "other"), "subject": _subject(subject),
            "description": description[:2000], "occurred_on": _day(now - timedelta(days=rng.randint(0, 10))),
            "agree": True,
        })
        if order_number:
            values["order_number"] = order_number
        expectation = rng.choice(["refund", "exchange", "repair", "apology", "apology", "other"])
        values["expectation"] = expectation
        if expectation == "refund":
            values["refund_amount"] = str(Decimal(rng.choice([30, 50, 80, 120, 200, 499])))
        elif expectation == "other":
            values["expectation_other"] = "希望给出书面说明"
        if values["complaint_type"] in ("pricing", "after_sales", "product") and rng.random() < 0.5:
            values["amount_involved"] = str(rng.choice([99, 199, 299, 599, 1299, 2999]))
    return {k: v for k, v in values.items() if v is not None}


def _subject(subject: str) -> str:
    subject = subject.strip()[:100]
    return subject if len(subject) >= 4 else f"{subject}问题投诉"
