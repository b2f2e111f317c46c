"""Natural keys for database ids: what a bundle writes instead of an id, and how it is found again.

Inside JSON definitions (conditions, rule action parameters, SLA escalation steps) an id becomes
``{"$ref": "<kind>", "key": "<natural key>"}``; plain columns (a form's category, a team's
department) hold the natural key as a string. Users are never exported: a reference to one is
by username and must exist in the importing instance.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

REF = "$ref"

# Condition fields whose values are ids, and what they refer to.
CONDITION_REF_FIELDS: dict[str, str] = {
    "category_id": "category", "department_id": "department", "team_id": "team", "product_id": "product",
    "product.line_id": "product_line", "assignee_id": "user", "created_by_id": "user",
}

# Rule action parameters that may hold ids (an int, or a list of ints), by action type.
ACTION_REF_PARAMS: dict[str, dict[str, str]] = {
    "assign": {"user": "user", "team": "team", "department": "department"},
    "apply_sla": {"policy": "sla_policy"},
    "notify": {"user_ids": "user", "channel_id": "notification_channel"},
    "create_improvement": {"department_id": "department", "owner_id": "user"},
    "call_webhook": {"webhook_id": "webhook"},
}

# Which bundle kind holds the objects of a reference kind (None: never in a bundle).
REF_KIND_SOURCE: dict[str, str | None] = {
    "category": "categories", "department": "departments", "team": "teams", "product": "products",
    "product_line": "product_lines", "role": "roles", "calendar": "calendars", "sla_policy": "sla_policies",
    "process": "processes", "form": "forms", "notification_channel": "notification_channels",
    "template_key": "notification_templates", "webhook": "webhooks", "user": None,
}


def is_ref(value: Any) -> bool:
    return isinstance(value, dict) and REF in value


def make_ref(kind: str, key: str) -> dict[str, str]:
    return {REF: kind, "key": key}


class Resolver:
    """Ids ↔ natural keys, loaded once per kind (for export) or looked up per key (for import)."""

    def __init__(self) -> None:
        self._keys: dict[str, dict[int, str]] = {}

    # --- export: id -> key
    def key_of(self, kind: str, pk: Any) -> str | None:
        if kind not in self._keys:
            self._keys[kind] = _load_keys(kind)
        return self._keys[kind].get(pk) if isinstance(pk, int) and not isinstance(pk, bool) else None

    def ref_of(self, kind: str, value: Any) -> Any:
        """An id as a ``$ref`` (an unknown id stays as it was: the import will say so)."""
        if isinstance(value, list):
            return [self.ref_of(kind, v) for v in value]
        key = self.key_of(kind, value)
        return make_ref(kind, key) if key is not None else value

    # --- import: key -> id
    def pk_of(self, kind: str, key: str) -> int | None:
        return _find_pk(kind, key)


def department_keys() -> dict[int, str]:
    """A department's natural key: its code, or (without one) the path of names from the root."""
    from complaintdesk.accounts.models import Department

    rows = {d.pk: d for d in Department.objects.all()}

    def name_path(pk: int) -> str:
        names: list[str] = []
        node = rows.get(pk)
        while node is not None:
            names.append(node.name)
            node = rows.get(node.parent_id) if node.parent_id else None
        return "/".join(reversed(names))

    # Two code-less departments with the same path of names: "path #2" for the later one.
    return duplicate_safe_keys([(pk, d.code or name_path(pk)) for pk, d in rows.items()])


def duplicate_safe_keys(rows: list[tuple[int, str]]) -> dict[int, str]:
    """Names as keys; a name used twice becomes "name #2", "name #3" (in id order) for the later ones."""
    seen: dict[str, int] = {}
    out: dict[int, str] = {}
    for pk, name in sorted(rows):
        seen[name] = seen.get(name, 0) + 1
        out[pk] = name if seen[name] == 1 else f"{name} #{seen[name]}"
    return out


def _load_keys(kind: str) -> dict[int, str]:
    from complaintdesk.accounts.models import Role, Team, User
    from complaintdesk.customers.models import Product, ProductLine
    from complaintdesk.notifications.models import NotificationChannel, WebhookSubscription
    from complaintdesk.sla.models import BusinessCalendar, SlaPolicy
    from complaintdesk.tickets.models import Category

    if kind == "department":
        return department_keys()
    if kind == "webhook":
        return duplicate_safe_keys(list(WebhookSubscription.objects.values_list("pk", "name")))
    sources: dict[str, Callable[[], Any]] = {
        "category": lambda: Category.objects.values_list("pk", "key"),
        "team": lambda: Team.objects.values_list("pk", "name"),
        "product": lambda: Product.objects.values_list("pk", "sku"),
        "product_line": lambda: ProductLine.objects.values_list("pk", "name"),
        "role": lambda: Role.objects.values_list("pk", "key"),
        "user": lambda: User.objects.values_list("pk", "username"),
        "calendar": lambda: BusinessCalendar.objects.values_list("pk", "key"),
        "sla_policy": lambda: SlaPolicy.objects.values_list("pk", "name"),
        "notification_channel": lambda: NotificationChannel.objects.values_list("pk", "name"),
    }
    return dict(sources[kind]())


def _find_pk(kind: str, key: str) -> int | None:
    from complaintdesk.accounts.models import Team, User
    from complaintdesk.customers.models import Product, ProductLine
    from complaintdesk.notifications.models import NotificationChannel, WebhookSubscription
    from complaintdesk.sla.models import BusinessCalendar, SlaPolicy
    from complaintdesk.tickets.models import Category

    if not isinstance(key, str):
        return None
    if kind == "department":
        for pk, k in department_keys().items():
            if k == key:
                return pk
        return None
    if kind == "webhook":
        for pk, k in duplicate_safe_keys(list(WebhookSubscription.objects.values_list("pk", "name"))).items():
            if k == key:
                return pk
        return None
    lookups: dict[str, Callable[[], Any]] = {
        "category": lambda: Category.objects.filter(key=key),
        "team": lambda: Team.objects.filter(name=key),
        "product": lambda: Product.objects.filter(sku=key),
        "product_line": lambda: ProductLine.objects.filter(name=key),
        "user": lambda: User.objects.filter(username=key),
        "calendar": lambda: BusinessCalendar.objects.filter(key=key),
        "sla_policy": lambda: SlaPolicy.objects.filter(name=key),
        "notification_channel": lambda: NotificationChannel.objects.filter(name=key),
    }
    found = lookups[kind]().order_by("pk").values_list("pk", flat=True).first()
    return int(found) if found is not None else None


# --- walking definitions ------------------------------------------------------------------------


def map_condition(condition: Any, fn: Callable[[str, Any], Any]) -> Any:
    """The condition with the value of every id field replaced by ``fn(ref_kind, value)``."""
    if isinstance(condition, list):
        return [map_condition(c, fn) for c in condition]
    if not isinstance(condition, dict):
        return condition
    out = {}
    for k, v in condition.items():
        if k in ("all", "any", "not"):
            out[k] = map_condition(v, fn)
        else:
            out[k] = v
    field = condition.get("field")
    if isinstance(field, str) and field in CONDITION_REF_FIELDS and "value" in condition:
        kind = CONDITION_REF_FIELDS[field]
        value = condition["value"]
        out["value"] = [fn(kind, v) for v in value] if isinstance(value, list) else fn(kind, value)
    return out


def map_actions(actions: Any, fn: Callable[[str, Any], Any]) -> Any:
    if not isinstance(actions, list):
        return actions
    out = []
    for action in actions:
        if not isinstance(action, dict) or not isinstance(action.get("params"), dict):
            out.append(action)
            continue
        refs = ACTION_REF_PARAMS.get(str(action.get("type")), {})
        params = dict(action["params"])
        for name, kind in refs.items():
            if name in params:
                value = params[name]
                params[name] = [fn(kind, v) for v in value] if isinstance(value, list) else fn(kind, value)
        out.append({**action, "params": params})
    return out


def map_escalation(steps: Any, fn: Callable[[str, Any], Any]) -> Any:
    if not isinstance(steps, list):
        return steps
    return [{**s, "user_id": fn("user", s["user_id"])} if isinstance(s, dict) and s.get("user_id") is not None
            else s for s in steps]


def collect_refs(value: Any, path: str = "") -> list[tuple[str, str, str]]:
    """Every ``$ref`` inside ``value`` as (kind, key, JSON Pointer)."""
    found: list[tuple[str, str, str]] = []
    if is_ref(value):
        found.append((str(value.get(REF)), str(value.get("key")), path))
    elif isinstance(value, dict):
        for k, v in value.items():
            found.extend(collect_refs(v, f"{path}/{k}"))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found.extend(collect_refs(v, f"{path}/{i}"))
    return found


def _rule_ids_to_names(rule: Any, names: Callable[[str, Any], Any]) -> Any:
    """An assignee rule with a team id replaced by the team's name (the engine takes either)."""
    if isinstance(rule, dict) and rule.get("type") == "team" and isinstance(rule.get("team"), int):
        return {**rule, "team": names("team", rule["team"])}
    return rule


def map_bpmn(xml: str, condition_fn: Callable[[Any], Any], names: Callable[[str, Any], Any]) -> str:
    """``xml`` with the ids inside its JSON properties translated: every gateway condition through
    ``condition_fn``, and the team of an assignee / cc / timeout-transfer rule and a deadline's business
    calendar given by id replaced by ``names(kind, id)`` (a name, which the engine accepts as well).
    Unchanged text is returned as it was, byte for byte; unreadable JSON is left to the validator."""
    import json

    from lxml import etree

    from complaintdesk.workflows.bpmn import BPMN_NS, CD_NS, BpmnSyntaxError, parse_xml

    try:
        root = parse_xml(xml)
    except BpmnSyntaxError:
        return xml
    changed = False
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        qname = etree.QName(element.tag)
        try:
            value = json.loads(element.text or "")
        except ValueError:
            continue
        if qname.namespace == BPMN_NS and qname.localname == "conditionExpression":
            new = condition_fn(value)
        elif qname.namespace == CD_NS and qname.localname in ("assignee", "cc"):
            new = _rule_ids_to_names(value, names)
        elif qname.namespace == CD_NS and qname.localname == "deadline" and isinstance(value, dict):
            new = {**value}
            if "transferTo" in new:
                new["transferTo"] = _rule_ids_to_names(new["transferTo"], names)
            if isinstance(new.get("calendar"), int):
                new["calendar"] = names("calendar", new["calendar"])
        else:
            continue
        if new != value:
            element.text = json.dumps(new, ensure_ascii=False)
            changed = True
    if not changed:
        return xml
    text = etree.tostring(root, encoding="unicode")
    declaration = xml.lstrip().split("?>", 1)[0] + "?>" if xml.lstrip().startswith("<?xml") else ""
    return f"{declaration}\n{text}" if declaration else text


def bpmn_refs(xml: str) -> list[tuple[str, str, str]]:
    """Every ``$ref`` inside the gateway conditions of ``xml`` as (kind, key, where)."""
    found: list[tuple[str, str, str]] = []

    def collect(condition: Any) -> Any:
        found.extend(collect_refs(condition, "/bpmn"))
        return condition

    map_bpmn(xml, collect, lambda kind, value: value)
    return found
