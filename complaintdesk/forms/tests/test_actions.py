"""Form and version writes: draft → publish → immutable → new draft → publish archives the previous."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from complaintdesk.core.errors import Conflict, InvalidInput
from complaintdesk.core.models import AuditLog, Outbox
from complaintdesk.forms.actions import (
    do_create_form,
    do_discard_draft,
    do_ensure_draft,
    do_publish_draft,
    do_save_draft,
    do_update_form,
)
from complaintdesk.forms.choices import VersionStatus
from complaintdesk.forms.models import Form, FormVersion
from complaintdesk.forms.schema import InvalidSchema
from complaintdesk.forms.tests.conftest import COMPLAINT_SCHEMA

pytestmark = pytest.mark.django_db

V2 = {**COMPLAINT_SCHEMA, "fields": [*COMPLAINT_SCHEMA["fields"],
                                     {"key": "email", "type": "email", "label": "邮箱"}],
      "layout": [*COMPLAINT_SCHEMA["layout"], "email"]}


def _statuses(form: Form) -> list[tuple[int, str]]:
    return list(form.versions.order_by("number").values_list("number", "status"))


def _audit(form: Form) -> list[str]:
    return list(AuditLog.objects.filter(object_type="form", object_id=str(form.pk)).order_by("id")
                .values_list("action", flat=True))


def test_the_version_lifecycle(org, frozen_clock):
    form = do_create_form(key="complaint", name="通用投诉", actor=org.admin, channels=["web_form", "phone"],
                          category=org.categories["product_quality"])
    assert _statuses(form) == [(1, "draft")]
    draft = do_save_draft(form, schema=COMPLAINT_SCHEMA, actor=org.admin)
    assert (draft.number, draft.revision) == (1, 2)

    v1 = do_publish_draft(form, actor=org.admin)
    assert (v1.number, v1.status, v1.published_by, v1.published_at) == (1, "published", org.admin, frozen_clock.now())
    assert _statuses(form) == [(1, "published")]
    event = Outbox.objects.get(topic="form.published")
    assert event.payload == {"form_id": form.pk, "key": "complaint", "version_id": v1.pk, "number": 1,
                             "archived_version_id": None}

    # A published version never changes, whoever tries.
    v1.refresh_from_db()
    v1.schema = {"fields": [], "layout": []}
    with pytest.raises(RuntimeError, match="immutable"):
        v1.save()
    v1.refresh_from_db()
    v1.status = VersionStatus.DRAFT
    with pytest.raises(RuntimeError, match="immutable"):
        v1.save()
    with pytest.raises(RuntimeError):
        FormVersion.objects.get(pk=v1.pk).delete()

    # Editing again starts a new draft from the published schema; publishing it archives v1.
    v2 = do_ensure_draft(form, actor=org.admin)
    assert (v2.number, v2.status, v2.based_on, v2.schema) == (2, "draft", 1, COMPLAINT_SCHEMA)
    assert do_ensure_draft(form, actor=org.admin).pk == v2.pk  # one draft at a time
    do_save_draft(form, schema=V2, actor=org.admin)
    frozen_clock.advance(timedelta(hours=1))
    published = do_publish_draft(form, actor=org.admin)
    assert published.pk == v2.pk
    assert _statuses(form) == [(1, "archived"), (2, "published")]
    v1.refresh_from_db()
    assert v1.archived_at == frozen_clock.now() and v1.schema == COMPLAINT_SCHEMA
    latest = Outbox.objects.filter(topic="form.published").order_by("-id")[0]
    assert latest.payload["archived_version_id"] == v1.pk

    # Archived is final too.
    v1.status = VersionStatus.PUBLISHED
    with pytest.raises(RuntimeError, match="immutable"):
        v1.save()
    assert _audit(form) == ["form.created", "form.draft_saved", "form.published", "form.draft_created",
                            "form.draft_saved", "form.published"]


def test_publishing_an_invalid_draft_changes_nothing_and_lists_every_problem(org):
    form = do_create_form(key="broken", name="坏表单", actor=org.admin)
    do_save_draft(form, schema={"fields": [
        {"key": "a", "type": "formula", "label": "A", "formula": "{b}"},
        {"key": "b", "type": "formula", "label": "B", "formula": "{a}"},
        {"key": "c", "type": "text", "label": "C", "visible_when": {"field": "zz", "op": "is_empty"}},
    ]}, actor=org.admin)
    with pytest.raises(InvalidSchema) as caught:
        do_publish_draft(form, actor=org.admin)
    assert caught.value.status_code == 422
    assert {(p["path"], p["code"]) for p in caught.value.details} == {
        ("fields[0]", "cycle"), ("fields[2].visible_when.field", "condition_unknown_field")}
    assert _statuses(form) == [(1, "draft")]
    assert not Outbox.objects.filter(topic="form.published").exists()


def test_nothing_to_publish_and_stale_drafts(org):
    form = do_create_form(key="empty", name="空表单", actor=org.admin, schema=COMPLAINT_SCHEMA)
    do_publish_draft(form, actor=org.admin)
    with pytest.raises(Conflict):
        do_publish_draft(form, actor=org.admin)
    draft = do_save_draft(form, schema=V2, actor=org.admin)
    assert (draft.number, draft.revision, draft.based_on) == (2, 1, 1)
    do_save_draft(form, schema=V2, actor=org.admin, base_revision=1)
    with pytest.raises(Conflict) as caught:
        do_save_draft(form, schema=COMPLAINT_SCHEMA, actor=org.admin, base_revision=1)
    assert caught.value.details == {"revision": 2}


def test_discarding_a_draft(org):
    form = do_create_form(key="d", name="D", actor=org.admin, schema=COMPLAINT_SCHEMA)
    with pytest.raises(Conflict):
        do_discard_draft(form, actor=org.admin)  # the only version of an unpublished form
    do_publish_draft(form, actor=org.admin)
    do_save_draft(form, schema=V2, actor=org.admin)
    do_discard_draft(form, actor=org.admin)
    assert _statuses(form) == [(1, "published")]
    with pytest.raises(Conflict):
        do_discard_draft(form, actor=org.admin)
    assert do_ensure_draft(form, actor=org.admin).number == 2


def test_the_database_allows_one_draft_and_one_published_version(org):
    form = do_create_form(key="c", name="C", actor=org.admin)
    with pytest.raises(IntegrityError), transaction.atomic():
        FormVersion.objects.create(form=form, number=2, status=VersionStatus.DRAFT)
    with pytest.raises(IntegrityError), transaction.atomic():
        FormVersion.objects.create(form=form, number=1, status=VersionStatus.ARCHIVED)


def test_form_settings(org):
    form = do_create_form(key="public-one", name="网页投诉", actor=org.admin, is_public=True, public_slug="ts")
    with pytest.raises(Conflict):
        do_create_form(key="public-two", name="另一个", actor=org.admin, is_public=True, public_slug="ts")
    # A slug is only reserved while its form is public.
    other = do_create_form(key="private", name="内部", actor=org.admin, public_slug="ts")
    with pytest.raises(Conflict):
        do_update_form(other, is_public=True, actor=org.admin)
    do_update_form(form, is_public=False, actor=org.admin)
    do_update_form(other, is_public=True, channels=["web_form", "wechat"], actor=org.admin)
    audit = AuditLog.objects.filter(action="form.updated", object_id=str(other.pk)).get()
    assert audit.data == {"is_public": {"old": False, "new": True},
                          "channels": {"old": [], "new": ["web_form", "wechat"]}}
    with pytest.raises(Conflict):
        do_create_form(key="private", name="重复", actor=org.admin)
    for bad in ({"channels": ["fax"]}, {"channels": ["phone", "phone"]}, {"is_public": True},
                {"public_slug": "Not A Slug"}, {"name": "  "}):
        with pytest.raises(InvalidInput):
            do_update_form(other if "is_public" not in bad else Form.objects.get(key="public-one"),
                           actor=org.admin, **{**bad, **({"public_slug": None} if "is_public" in bad else {})})
    with pytest.raises(InvalidInput):
        do_create_form(key="Bad Key!", name="x", actor=org.admin)
    with pytest.raises(InvalidSchema):
        do_create_form(key="badschema", name="x", actor=org.admin, schema={"fields": "nope"})


def test_listing_forms_costs_a_fixed_number_of_queries(org, django_assert_num_queries):
    from complaintdesk.forms.api import form_out
    from complaintdesk.forms.queries import list_forms

    def make(n: int) -> None:
        for i in range(n):
            form = do_create_form(key=f"q{Form.objects.count()}-{i}", name="表单", actor=org.admin,
                                  schema=COMPLAINT_SCHEMA, category=org.categories["logistics"])
            do_publish_draft(form, actor=org.admin)
            do_ensure_draft(form, actor=org.admin)

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            [form_out(f, admin=True) for f in list_forms(viewer=org.admin)]
        return len(captured)

    make(2)
    few = count()
    make(5)
    assert count() == few


def test_description_html_is_sanitised_when_the_draft_is_saved(org):
    form = do_create_form(key="notice", name="须知", actor=org.admin)
    draft = do_save_draft(form, actor=org.admin, schema={"fields": [
        {"key": "notice", "type": "description", "config": {"content": {
            "zh-CN": '<p onclick="steal()">请如实填写<script>alert(1)</script></p>', "en": "<b>Be honest</b>"}}}]})
    assert draft.schema["fields"][0]["config"]["content"] == {"zh-CN": "<p>请如实填写</p>", "en": "<b>Be honest</b>"}
