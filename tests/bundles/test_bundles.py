"""Configuration bundles through the public actions: export, import into an empty instance, dry
run, changes and versions, removal and prune, and bundles that must be refused."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaintdesk.bundles.actions import do_export_bundle, do_import_bundle, parse_bundle
from complaintdesk.bundles.format import (
    MANIFEST,
    MAX_FILE_BYTES,
    Bundle,
    BundleError,
    checksum,
    dump_yaml,
    load_yaml,
    read_zip,
    write_zip,
)
from complaintdesk.tickets.actions import do_create_category
from tests.bundles.conftest import SCRIPT_BPMN, empty_instance_after, files_without_time

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    from complaintdesk.accounts.models import Department, Role, Team
    from complaintdesk.core.models import AuditLog
    from complaintdesk.forms.models import Form, FormVersion
    from complaintdesk.insights.models import AlertRule, AlertRuleVersion
    from complaintdesk.notifications.models import NotificationChannel, NotificationRule, NotificationTemplate
    from complaintdesk.rules.models import Rule, RuleVersion
    from complaintdesk.sla.models import BusinessCalendar, CalendarDay, SlaPolicy, SlaPolicyVersion
    from complaintdesk.tickets.models import Category
    from complaintdesk.workflows.models import ProcessDefinition, ProcessVersion

    models = [Department, Role, Team, Form, FormVersion, AlertRule, AlertRuleVersion, NotificationChannel,
              NotificationRule, NotificationTemplate, Rule, RuleVersion, BusinessCalendar, CalendarDay, SlaPolicy,
              SlaPolicyVersion, Category, ProcessDefinition, ProcessVersion, AuditLog]
    return {m.__name__: m.objects.count() for m in models}


def _rebundle(bundle: Bundle, changes: dict[str, bytes | None]) -> Bundle:
    """``bundle`` with files replaced (None: removed) and the manifest's checksums recomputed."""
    files = dict(bundle.files)
    for path, content in changes.items():
        if content is None:
            files.pop(path, None)
        else:
            files[path] = content
    manifest = load_yaml(files[MANIFEST])
    manifest["checksums"] = {p: checksum(c) for p, c in sorted(files.items()) if p != MANIFEST}
    files[MANIFEST] = dump_yaml(manifest)
    return Bundle(files=files)


def _edit(bundle: Bundle, path: str, fn: Any) -> Bundle:
    doc = load_yaml(bundle.files[path])
    fn(doc)
    return _rebundle(bundle, {path: dump_yaml(doc)})


def _plan(result: Any, kind: str) -> Any:
    return next(k for k in result.kinds if k.kind == kind)


# --- export ------------------------------------------------------------------------------------------


def test_exporting_twice_gives_identical_files_and_no_secrets(org: Any, configured: Any) -> None:
    first, second = configured(), configured()
    assert files_without_time(first) == files_without_time(second)
    assert write_zip(Bundle({k: v for k, v in first.files.items() if k != MANIFEST})) == \
        write_zip(Bundle({k: v for k, v in second.files.items() if k != MANIFEST}))
    text = b"".join(first.files.values())
    assert b"s3cret" not in text and b"secrets" not in text and b"whsec" not in text
    assert load_yaml(first.files["notifications/webhooks/测试回调.yaml"]) == {
        "key": "测试回调", "name": "测试回调", "url": "https://hooks.example.com/cd", "event_patterns": ["ticket.*"],
        "enabled": True}
    channel = load_yaml(first.files["notifications/channels/测试邮件组.yaml"])
    assert channel == {"key": "测试邮件组", "kind": "email", "config": {"to": ["qa@example.com"]}, "is_active": True}
    # Ids are written as natural keys, never as numbers.
    rule = load_yaml(first.files["rules/测试规则.yaml"])
    assert rule["condition"]["any"][0]["value"] == {"$ref": "team", "key": "华东一组"}
    assert rule["actions"][0]["params"]["department"] == {"$ref": "department", "key": "east"}
    assert rule["actions"][1]["params"]["policy"] == {"$ref": "sla_policy", "key": "测试策略"}
    assert rule["actions"][2]["params"]["user_ids"] == [{"$ref": "user", "key": "supervisor"}]
    assert rule["actions"][3]["params"]["webhook_id"] == {"$ref": "webhook", "key": "测试回调"}
    policy = load_yaml(first.files["sla/policies/测试策略.yaml"])
    assert policy["condition"]["all"][0]["value"] == [{"$ref": "department", "key": "east"},
                                                      {"$ref": "department", "key": "华东大区/上海门店"}]
    assert policy["escalation"][0]["user_id"] == {"$ref": "user", "key": "supervisor"}
    assert policy["calendar"] == "bt-cal"
    manifest = load_yaml(first.files[MANIFEST])
    assert manifest["format_version"] == 1 and "rules" in manifest["kinds"]
    assert manifest["checksums"]["rules/测试规则.yaml"] == checksum(first.files["rules/测试规则.yaml"])


def test_export_of_some_kinds(org: Any) -> None:
    bundle = do_export_bundle(actor=org.admin, kinds=["categories", "roles"])
    assert set(load_yaml(bundle.files[MANIFEST])["kinds"]) == {"categories", "roles"}
    assert all(p == MANIFEST or p.startswith(("taxonomy/categories", "roles/")) for p in bundle.files)


# --- import into an empty instance -------------------------------------------------------------------


def test_export_import_into_empty_instance_export_again_is_identical(org: Any, configured: Any) -> None:
    from complaintdesk.notifications.models import NotificationChannel
    from complaintdesk.rules.models import Rule
    from complaintdesk.sla.models import SlaPolicy

    bundle = configured()
    assert not Rule.objects.filter(name="测试规则").exists()  # the instance is empty again
    before = _counts()

    result = do_import_bundle(bundle, actor=org.admin)
    assert result.ok, result.problems
    assert result.applied
    counts = result.counts()
    assert counts["added"] >= 14 and counts["changed"] == 0 and counts["removed"] == 0
    after = _counts()
    assert after["Rule"] == before["Rule"] + 1 and after["Department"] == before["Department"] + 2
    assert after["FormVersion"] == before["FormVersion"] + 1

    again = do_export_bundle(actor=org.admin)
    assert files_without_time(again) == files_without_time(bundle)
    # The ids inside definitions point at the new objects.
    rule = Rule.objects.get(name="测试规则")
    policy = SlaPolicy.objects.get(name="测试策略")
    assert rule.actions[1]["params"]["policy"] == policy.pk
    assert rule.actions[2]["params"]["user_ids"] == [org.supervisor.pk]
    channel = NotificationChannel.objects.get(name="测试邮件组")
    assert channel.secrets == {}  # never carried: set again after the import
    # Inside the BPMN: the gateway's category id is the new category's, the team and calendar go by name.
    exported_bpmn = bundle.files["processes/bt-process.bpmn"].decode()
    assert '{"$ref": "category", "key": "bt-child"}' in exported_bpmn
    assert '"team": "华东一组"' in exported_bpmn and '"calendar": "测试日历"' in exported_bpmn
    from complaintdesk.tickets.models import Category
    from complaintdesk.workflows.bpmn import document_for
    from complaintdesk.workflows.models import ProcessDefinition

    imported = ProcessDefinition.objects.get(key="bt-process").versions.order_by("-version")[0]
    conditions = [json.loads(f.condition) for f in document_for(imported.bpmn_xml).flows.values() if f.condition]
    assert {"field": "category_id", "op": "in", "value": [Category.objects.get(key="bt-child").pk]} in [
        c for condition in conditions for c in condition.get("any", [])]

    # Importing the same bundle again is a no-op.
    before = _counts()
    second = do_import_bundle(bundle, actor=org.admin)
    assert second.ok and second.counts()["added"] == 0 and second.counts()["changed"] == 0
    after = _counts()
    after.pop("AuditLog"), before.pop("AuditLog")  # the import itself is audited
    assert after == before


def test_dry_run_changes_nothing(org: Any, configured: Any) -> None:
    bundle = configured()
    before = _counts()
    result = do_import_bundle(bundle, actor=org.admin, dry_run=True)
    assert result.ok and not result.applied and result.dry_run
    assert "测试规则" in _plan(result, "rules").added
    assert "bt-form" in _plan(result, "forms").added
    assert _counts() == before


def test_changes_make_new_versions_and_the_plan_says_what_changed(org: Any) -> None:
    from complaintdesk.forms.models import Form
    from complaintdesk.rules.models import Rule
    from complaintdesk.sla.models import SlaPolicy
    from complaintdesk.workflows.models import ProcessDefinition

    bundle = do_export_bundle(actor=org.admin)
    rule_path = next(p for p in bundle.files if p.startswith("rules/VIP"))
    rule_name = load_yaml(bundle.files[rule_path])["name"]
    bundle = _edit(bundle, rule_path, lambda d: d.update(order=999, description="新的说明"))
    bundle = _edit(bundle, "forms/general.yaml", lambda d: (d["schema"]["fields"].append(
        {"key": "extra_note", "type": "text", "label": {"zh-CN": "补充说明", "en": "Extra note"}}),
        d["schema"]["layout"].append("extra_note")))
    bundle = _edit(bundle, "sla/policies/默认_SLA_Default.yaml",
                   lambda d: d["targets"]["P1"].update(resolution_minutes=90))
    bpmn = bundle.files["processes/standard_complaint.bpmn"].decode().replace('name="回访"', 'name="电话回访"')
    bundle = _rebundle(bundle, {"processes/standard_complaint.bpmn": bpmn.encode()})
    bundle = _edit(bundle, "processes/standard_complaint.yaml", lambda d: d.update(name_en="Standard (edited)"))

    rule = Rule.objects.get(name=rule_name)
    form_version = Form.objects.get(key="general").versions.get(status="published").number
    policy = SlaPolicy.objects.get(name="默认 SLA Default")
    process_versions = ProcessDefinition.objects.get(key="standard_complaint").versions.count()

    plan = do_import_bundle(bundle, actor=org.admin, dry_run=True)
    assert plan.ok, plan.problems
    changed = {c["key"]: c["fields"] for p in plan.kinds for c in p.changed}
    assert changed[rule_name] == {"description": {"old": rule.description, "new": "新的说明"},
                                  "order": {"old": rule.order, "new": 999}}
    assert changed["general"]["schema"]["fields_added"] == ["extra_note"]
    assert set(changed["standard_complaint"]) == {"bpmn", "name_en"}
    assert changed["默认 SLA Default"]["targets"] == {"changes": {"P1.resolution_minutes": {"old": 120, "new": 90}}}
    assert plan.counts()["changed"] == 4
    assert Rule.objects.get(pk=rule.pk).version == rule.version  # the dry run kept nothing

    result = do_import_bundle(bundle, actor=org.admin)
    assert result.ok and result.applied
    rule.refresh_from_db()
    assert rule.order == 999 and rule.versions.count() == rule.version and rule.version >= 2
    form = Form.objects.get(key="general")
    published = form.versions.get(status="published")
    assert published.number == form_version + 1
    assert form.versions.get(number=form_version).status == "archived"  # tickets pinned to it are untouched
    policy.refresh_from_db()
    assert policy.targets["P1"]["resolution_minutes"] == 90 and policy.version == 2
    definition = ProcessDefinition.objects.get(key="standard_complaint")
    assert definition.versions.count() == process_versions + 1 and definition.name_en == "Standard (edited)"
    assert do_import_bundle(bundle, actor=org.admin, dry_run=True).counts()["changed"] == 0


def test_removed_objects_are_listed_and_only_pruned_on_request(org: Any) -> None:
    from complaintdesk.rules.models import Rule
    from complaintdesk.tickets.actions import do_create_ticket
    from complaintdesk.tickets.models import Category, Ticket

    bundle = do_export_bundle(actor=org.admin, kinds=["categories", "rules"])
    rule_path = next(p for p in bundle.files if p.startswith("rules/VIP"))
    rule_name = load_yaml(bundle.files[rule_path])["name"]
    used = Category.objects.filter(parent__isnull=False).order_by("id").first()
    assert used is not None
    do_create_ticket(actor=org.admin, subject="用过的分类", category=used)
    smaller = _rebundle(bundle, {rule_path: None})
    smaller = _edit(smaller, "taxonomy/categories.yaml",
                    lambda d: d.update(items=[i for i in d["items"] if i["key"] != used.key]))

    listed = do_import_bundle(smaller, actor=org.admin)
    assert listed.ok and listed.applied
    assert _plan(listed, "rules").removed == [rule_name] and _plan(listed, "categories").removed == [used.key]
    assert Rule.objects.get(name=rule_name).enabled and Category.objects.get(pk=used.pk).is_active

    pruned = do_import_bundle(smaller, actor=org.admin, prune=True)
    assert pruned.ok and pruned.applied
    assert not Rule.objects.get(name=rule_name).enabled
    assert not Category.objects.get(pk=used.pk).is_active  # disabled, never deleted: a ticket uses it
    assert Ticket.objects.filter(category=used).count() == 1


# --- refused bundles ---------------------------------------------------------------------------------


def _refused(bundle: Bundle, org: Any) -> list[dict[str, str]]:
    before = _counts()
    result = do_import_bundle(bundle, actor=org.admin)
    assert not result.ok and not result.applied
    assert _counts() == before
    return [p.as_dict() for p in result.problems]


def test_every_problem_is_reported_at_once_and_nothing_changes(org: Any) -> None:
    bundle = do_export_bundle(actor=org.admin)
    rule_path = next(p for p in bundle.files if p.startswith("rules/VIP"))
    broken = _rebundle(bundle, {
        "forms/general.yaml": b"key: general\nname: [unclosed\n",
        "processes/evil.yaml": dump_yaml({"key": "evil", "name": "脚本流程"}),
        "processes/evil.bpmn": SCRIPT_BPMN.encode(),
    })
    broken = _edit(broken, rule_path, lambda d: d["condition"]["any"].append(
        {"field": "category", "op": "eq", "value": "no-such-category"}) if "any" in d["condition"] else d.update(
        condition={"field": "category", "op": "eq", "value": "no-such-category"}))
    broken = _edit(broken, "taxonomy/categories.yaml", lambda d: d["items"].append({"key": "x", "color": "red"}))
    problems = _refused(broken, org)
    by_file: dict[str, list[str]] = {}
    for p in problems:
        by_file.setdefault(p["file"], []).append(f"{p['path']} {p['message']}")
    assert any("YAML" in m for m in by_file["forms/general.yaml"])
    assert any("scriptTask" in m or "script" in m.lower() for m in by_file["processes/evil.yaml"])
    assert any("no-such-category" in m for m in by_file[rule_path])
    assert any("color" in m for m in by_file["taxonomy/categories.yaml"])
    assert any("name" in m for m in by_file["taxonomy/categories.yaml"])  # required field missing


def test_unknown_references_are_refused(org: Any) -> None:
    bundle = do_export_bundle(actor=org.admin, kinds=["forms", "sla_policies"])
    bundle = _edit(bundle, "forms/general.yaml", lambda d: d.update(category="nowhere"))
    bundle = _edit(bundle, "sla/policies/默认_SLA_Default.yaml", lambda d: d.update(
        condition={"field": "department_id", "op": "eq", "value": {"$ref": "department", "key": "NO-DEPT"}},
        escalation=[{"level": 1, "after_minutes": 0, "to": "user", "user_id": {"$ref": "user", "key": "ghost"}}]))
    messages = " | ".join(f"{p['file']}{p['path']}: {p['message']}" for p in _refused(bundle, org))
    assert "forms/general.yaml/category" in messages and "'nowhere'" in messages
    assert "NO-DEPT" in messages and "'ghost'" in messages


def test_checksum_mismatch_and_missing_manifest(org: Any) -> None:
    bundle = do_export_bundle(actor=org.admin, kinds=["roles"])
    tampered = Bundle(files={**bundle.files, "roles/admin.yaml": bundle.files["roles/admin.yaml"] + b"\n# x\n"})
    assert any("checksum" in p["message"] for p in _refused(tampered, org))
    no_manifest = Bundle(files={k: v for k, v in bundle.files.items() if k != MANIFEST})
    assert any("manifest" in p["message"] for p in _refused(no_manifest, org))
    stray = _rebundle(bundle, {"notes/readme.txt": b"hello"})
    assert any("unknown file" in p["message"] for p in _refused(stray, org))


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as z:
        for name, content in members.items():
            z.writestr(name, content)
    return out.getvalue()


def test_unsafe_zips_are_refused_before_parsing() -> None:
    with pytest.raises(BundleError) as traversal:
        read_zip(_zip({"../evil.yaml": b"x", "manifest.yaml": b"kinds: []"}))
    assert traversal.value.problems[0].file == "../evil.yaml"
    with pytest.raises(BundleError):
        read_zip(_zip({"/etc/passwd": b"x"}))
    with pytest.raises(BundleError) as big:
        read_zip(_zip({"forms/big.yaml": b"a" * (MAX_FILE_BYTES + 1)}, zipfile.ZIP_STORED))
    assert "MB" in big.value.problems[0].message
    with pytest.raises(BundleError) as bomb:
        read_zip(_zip({"forms/bomb.yaml": b"\0" * (MAX_FILE_BYTES - 10)}))
    assert "zip bomb" in bomb.value.problems[0].message
    with pytest.raises(BundleError) as not_zip:
        read_zip(b"this is not a zip")
    assert "zip" in not_zip.value.problems[0].message


def test_a_refused_object_rolls_back_the_whole_import(org: Any) -> None:
    """Problems only the owning action finds (here: a channel that needs a secret) stop everything."""
    from complaintdesk.tickets.models import Category

    bundle = do_export_bundle(actor=org.admin, kinds=["categories", "notification_channels"])
    bundle = _rebundle(bundle, {"notifications/channels/钉钉群.yaml": dump_yaml(
        {"key": "钉钉群", "kind": "dingtalk", "config": {}, "is_active": True})})
    bundle = _edit(bundle, "taxonomy/categories.yaml", lambda d: d["items"].append(
        {"key": "bt-new", "name": "新分类", "name_en": "", "parent": None, "sort_order": 0, "is_active": True}))
    problems = _refused(bundle, org)
    assert problems[0]["file"] == "notifications/channels/钉钉群.yaml"
    assert "secrets" in problems[0]["message"]
    assert not Category.objects.filter(key="bt-new").exists()


# --- YAML ------------------------------------------------------------------------------------------------

_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                     st.floats(allow_nan=False, allow_infinity=False, width=32),
                     st.text(max_size=30), st.sampled_from(["2026-10-01", "yes", "0x1F", "null", "1e3", "a\nb"]))
_json = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=4)), max_leaves=20)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(_json)
def test_yaml_round_trips_any_json_value_and_is_deterministic(value: Any) -> None:
    text = dump_yaml({"value": value})
    assert load_yaml(text) == {"value": value}
    assert dump_yaml(load_yaml(text)) == text


def test_dates_stay_strings_and_multiline_text_is_a_block() -> None:
    assert load_yaml(b"d: 2026-10-01\n") == {"d": "2026-10-01"}
    assert b"|" in dump_yaml({"body": "第一行\n第二行"})
    with pytest.raises(yaml.YAMLError):
        load_yaml(b"a: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(yaml.YAMLError, match="aliases"):
        load_yaml(b"a: &x [1, 2]\nb: [*x, *x, *x]\n")
    shared = [1, 2]
    assert b"&" not in dump_yaml({"a": shared, "b": shared})


def test_parse_reports_unknown_kinds_and_versions() -> None:
    parsed = parse_bundle(Bundle(files={MANIFEST: dump_yaml({"format_version": 99, "kinds": ["spaceships"]})}))
    messages = " ".join(p.message for p in parsed.problems)
    assert "format version" in messages and "spaceships" in messages


def test_within_empty_instance_helper_restores_state(org: Any) -> None:
    from complaintdesk.tickets.actions import do_create_category
    from complaintdesk.tickets.models import Category

    with empty_instance_after():
        do_create_category(key="temp", name="临时", actor=org.admin)
        assert Category.objects.filter(key="temp").exists()
    assert not Category.objects.filter(key="temp").exists()


# --- taxonomies as data ------------------------------------------------------------------------------

_names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12).filter(
    lambda s: s.strip() == s and s.strip())


@st.composite
def _category_trees(draw: Any) -> list[dict[str, Any]]:
    count = draw(st.integers(1, 6))
    items: list[dict[str, Any]] = []
    for i in range(count):
        parent = draw(st.sampled_from([None, *[it["key"] for it in items]]))
        items.append({"key": f"hx-{i}", "name": draw(_names), "name_en": draw(st.sampled_from(["", "Group"])),
                      "parent": parent, "sort_order": draw(st.integers(-1000, 1000)),
                      "is_active": draw(st.booleans())})
    return items


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(items=_category_trees())
def test_any_category_tree_round_trips_through_an_empty_instance(org: Any, items: list[dict[str, Any]]) -> None:
    from complaintdesk.bundles.actions import documents_to_files, manifest_for

    files = documents_to_files({"categories": {i["key"]: i for i in items}})
    files[MANIFEST] = manifest_for(files, ["categories"])
    with empty_instance_after():
        result = do_import_bundle(Bundle(files=files), actor=org.admin)
        assert result.ok, result.problems
        exported = {i["key"]: i for i in load_yaml(do_export_bundle(actor=org.admin, kinds=["categories"])
                                                   .files["taxonomy/categories.yaml"])["items"]}
        assert [exported[i["key"]] for i in items] == items
        again = do_import_bundle(Bundle(files=files), actor=org.admin, dry_run=True)
        assert again.counts()["added"] == 0 and again.counts()["changed"] == 0


def test_a_moved_category_moves_with_its_subtree_and_two_categories_can_swap(org: Any) -> None:
    from complaintdesk.tickets.models import Category

    top = do_create_category(key="bt-1top", name="顶层", actor=org.admin)
    mid = do_create_category(key="bt-2mid", name="中层", parent=top, actor=org.admin)
    do_create_category(key="bt-3leaf", name="末层", parent=mid, actor=org.admin)
    bundle = do_export_bundle(actor=org.admin, kinds=["categories"])

    def swap(doc: dict[str, Any]) -> None:  # bt-2mid to the top, bt-1top under it: a swap, which
        # only works parents first (key order would move bt-1top under its own child)
        items = {i["key"]: i for i in doc["items"]}
        items["bt-2mid"]["parent"] = None
        items["bt-1top"]["parent"] = "bt-2mid"

    swapped = _edit(bundle, "taxonomy/categories.yaml", swap)
    plan = do_import_bundle(swapped, actor=org.admin, dry_run=True)
    assert plan.ok and sorted(c["key"] for c in _plan(plan, "categories").changed) == ["bt-1top", "bt-2mid"]
    assert Category.objects.get(key="bt-1top").parent_id is None  # a dry run moves nothing

    result = do_import_bundle(swapped, actor=org.admin)
    assert result.ok, result.problems
    top, mid, leaf = (Category.objects.get(key=k) for k in ("bt-1top", "bt-2mid", "bt-3leaf"))
    assert mid.parent_id is None and top.parent_id == mid.pk and leaf.parent_id == mid.pk
    assert top.path == f"{mid.path}{top.pk}/" and leaf.path == f"{mid.path}{leaf.pk}/"  # the subtree's paths
    assert do_import_bundle(swapped, actor=org.admin, dry_run=True).counts()["changed"] == 0


def test_a_move_under_its_own_subtree_is_refused_and_nothing_moves(org: Any) -> None:
    from complaintdesk.tickets.models import Category

    top = do_create_category(key="bt-top", name="顶层", actor=org.admin)
    do_create_category(key="bt-leaf", name="末层", parent=top, actor=org.admin)
    bundle = do_export_bundle(actor=org.admin, kinds=["categories"])
    cycle = _edit(bundle, "taxonomy/categories.yaml", lambda d: next(
        i for i in d["items"] if i["key"] == "bt-top").update(parent="bt-leaf"))
    problems = _refused(cycle, org)
    assert problems[0]["file"] == "taxonomy/categories.yaml" and "itself" in problems[0]["message"]
    assert Category.objects.get(key="bt-top").parent_id is None
    assert Category.objects.get(key="bt-leaf").parent_id == top.pk


# --- robustness: any value in any field is a problem, never a crash -----------------------------------

_FUZZ_TARGETS = [
    ("rules", "rules/VIP", ["events", "condition", "actions", "order", "stop_after", "description"]),
    ("sla_policies", "sla/policies/", ["condition", "targets", "warning_fractions", "escalation", "node_targets",
                                       "calendar", "order"]),
    ("alert_rules", "alerts/", ["scope", "grouping", "window_days", "metric", "threshold_red", "owners",
                                "improvement_department"]),
    ("calendars", "sla/calendars/cn-default", ["working_hours", "workday_hours", "time_zone", "days",
                                             "holiday_years", "is_default"]),
    ("forms", "forms/general", ["schema", "channels", "category", "field_permissions", "public_slug"]),
    ("roles", "roles/agent", ["permissions", "data_scope", "name"]),
    ("notification_templates", "notifications/templates/customer_ack.any.zh-CN", ["body", "subject", "event"]),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(target=st.sampled_from(_FUZZ_TARGETS), data=st.data())
def test_any_value_in_any_field_gives_problems_not_crashes(org: Any, target: Any, data: Any) -> None:
    kind, prefix, fields = target
    bundle = do_export_bundle(actor=org.admin, kinds=[kind])
    path = next(p for p in sorted(bundle.files) if p.startswith(prefix) and p.endswith(".yaml"))
    field = data.draw(st.sampled_from(fields))
    value = data.draw(_json)
    changed = _edit(bundle, path, lambda d: d.update({field: value}))
    with empty_instance_after():
        result = do_import_bundle(changed, actor=org.admin, dry_run=True)
    assert not result.applied
    assert all(p.file and p.message for p in result.problems)
