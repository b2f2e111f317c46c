"""References to other records: users, departments, customers, products, tickets, and order numbers.

Values are normalised first (shape only); the engine then calls ``verify`` once per type with
every value of the submission, so a form with a sub-table of 200 user pickers costs one query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, ClassVar

from complaintdesk.forms.fieldtypes.base import (
    ConfigOption,
    FieldDef,
    FieldType,
    FieldValueError,
    ProblemSink,
    ValueContext,
    Verified,
    check_text,
)
from complaintdesk.forms.fieldtypes.choice import check_count_bounds, check_counts
from complaintdesk.forms.lookups import OrderLookupUnavailable, get_order_lookup

MAX_ID = 2**63 - 1


def parse_id(value: Any) -> int:
    if isinstance(value, dict) and set(value) <= {"id", "name", "username", "display_name", "sku", "number"}:
        value = value.get("id")
    if isinstance(value, bool):
        raise FieldValueError("invalid_type", expected="reference")
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 19:
        value = int(value.strip())
    if not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise FieldValueError("invalid_type", expected="reference")
    return value


class _IdReference(FieldType):
    """A single id of a model row; subclasses say which rows count as existing."""

    family = "reference"
    needs_lookup = True
    missing_code: ClassVar[str] = ""

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if value is None or value == "" or value == {}:
            return None
        return parse_id(value)

    def existing(self, ids: set[int], ctx: ValueContext) -> set[int]:
        raise NotImplementedError

    def ids_of(self, value: Any) -> Iterable[int]:
        return [value]

    def verify(self, entries: list[tuple[str, FieldDef, Any]], ctx: ValueContext) -> dict[str, Verified]:
        wanted = {i for _, _, value in entries for i in self.ids_of(value)}
        found = self.existing(wanted, ctx) if wanted else set()
        answer: dict[str, Verified] = {}
        for path, _f, value in entries:
            missing = [i for i in self.ids_of(value) if i not in found]
            if missing:
                answer[path] = (None, FieldValueError(self.missing_code, value=missing[0]))
        return answer

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "integer", "minimum": 1}


class UserType(_IdReference):
    name = "user"
    label = {"zh-CN": "成员", "en": "User"}
    missing_code = "unknown_user"

    def existing(self, ids: set[int], ctx: ValueContext) -> set[int]:
        from complaintdesk.accounts.models import User

        return set(User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))


class MultiUserType(UserType):
    name = "multi_user"
    label = {"zh-CN": "成员多选", "en": "Users"}
    properties = frozenset({"min_length", "max_length"})
    default_max: ClassVar[int] = 50

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        check_count_bounds(f, add, hard_max=500)

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if value is None or value == "" or value == []:
            return None
        if not isinstance(value, list):
            value = [value]
        ids: list[int] = []
        for item in value[:501]:
            user_id = parse_id(item)
            if user_id in ids:
                raise FieldValueError("duplicate_item", value=user_id)
            ids.append(user_id)
        check_counts(ids, f, default_max=self.default_max)
        return ids

    def ids_of(self, value: Any) -> Iterable[int]:
        return value

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "array", "items": {"type": "integer", "minimum": 1}, "uniqueItems": True,
                "maxItems": f.max_length or self.default_max}


class DepartmentType(_IdReference):
    name = "department"
    label = {"zh-CN": "部门", "en": "Department"}
    missing_code = "unknown_department"

    def existing(self, ids: set[int], ctx: ValueContext) -> set[int]:
        from complaintdesk.accounts.models import Department

        return set(Department.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))


class CustomerType(_IdReference):
    name = "customer"
    label = {"zh-CN": "客户", "en": "Customer"}
    missing_code = "unknown_customer"

    def existing(self, ids: set[int], ctx: ValueContext) -> set[int]:
        from complaintdesk.customers.models import Customer

        return set(Customer.objects.filter(pk__in=ids).values_list("pk", flat=True))


class ProductType(_IdReference):
    name = "product"
    label = {"zh-CN": "产品", "en": "Product"}
    missing_code = "unknown_product"

    def existing(self, ids: set[int], ctx: ValueContext) -> set[int]:
        from complaintdesk.customers.models import Product

        return set(Product.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))


_TICKET_NUMBER = re.compile(r"^[A-Za-z0-9_\-]{1,40}$")


class RelatedTicketType(FieldType):
    """Another complaint, by id or number; stored as ``{"id", "number"}``. With a viewer, only
    tickets in the viewer's data scope count as existing (a hidden ticket is a missing one)."""

    name = "related_ticket"
    family = "reference"
    label = {"zh-CN": "关联工单", "en": "Related ticket"}
    needs_lookup = True

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if value is None or value == "" or value == {}:
            return None
        if isinstance(value, dict):
            if "id" in value:
                return {"id": parse_id(value["id"]), "number": None}
            value = value.get("number")
        if isinstance(value, int) and not isinstance(value, bool):
            return {"id": parse_id(value), "number": None}
        if isinstance(value, str) and _TICKET_NUMBER.match(value.strip()):
            return {"id": None, "number": value.strip()}
        raise FieldValueError("invalid_type", expected="reference")

    def verify(self, entries: list[tuple[str, FieldDef, Any]], ctx: ValueContext) -> dict[str, Verified]:
        from django.db.models import Q

        from complaintdesk.tickets.models import Ticket
        from complaintdesk.tickets.queries import scope_q

        if ctx.public:
            return {path: (None, FieldValueError("unknown_ticket", value=value["id"] or value["number"]))
                    for path, _f, value in entries}
        ids = {v["id"] for _, _, v in entries if v["id"] is not None}
        numbers = {v["number"] for _, _, v in entries if v["id"] is None}
        qs = Ticket.objects.filter(Q(pk__in=ids) | Q(number__in=numbers))
        if ctx.viewer is not None:
            scope = scope_q(ctx.viewer)
            qs = qs if scope is None else qs.filter(scope)
        rows = list(qs.values_list("pk", "number"))
        by_id = dict(rows)
        by_number = {number: pk for pk, number in rows}
        answer: dict[str, Verified] = {}
        for path, _f, value in entries:
            if value["id"] is not None and value["id"] in by_id:
                answer[path] = ({"id": value["id"], "number": by_id[value["id"]]}, None)
            elif value["id"] is None and value["number"] in by_number:
                answer[path] = ({"id": by_number[value["number"]], "number": value["number"]}, None)
            else:
                answer[path] = (None, FieldValueError("unknown_ticket", value=value["id"] or value["number"]))
        return answer

    def to_formula(self, value: Any, f: FieldDef) -> Any:
        return None if value is None else value["number"]

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "object", "required": ["id", "number"], "additionalProperties": False,
                "properties": {"id": {"type": "integer", "minimum": 1}, "number": {"type": "string"}},
                "description": "On input an id (integer) or a ticket number (string) is accepted"}


DEFAULT_ORDER_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_\-]{3,63}"


class OrderNumberType(FieldType):
    name = "order_number"
    family = "reference"
    label = {"zh-CN": "订单号", "en": "Order number"}
    properties = frozenset({"regex", "unique"})
    needs_lookup = True
    config_options = (
        ConfigOption("lookup", "string",
                     {"zh-CN": "核验接口名称（为空则不核验）", "en": "Verification lookup (blank: none)"}),
        ConfigOption("strict", "boolean",
                     {"zh-CN": "接口不可用时拒绝提交", "en": "Refuse when the lookup is unavailable"}, False),
        ConfigOption("uppercase", "boolean", {"zh-CN": "转为大写", "en": "Convert to capitals"}, False),
    )

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        from complaintdesk.forms.fieldtypes.text import check_regex

        super().check_config(f, add)
        check_regex(f, add)
        lookup = f.config.get("lookup")
        if lookup is not None and (not isinstance(lookup, str) or get_order_lookup(lookup) is None):
            add("config.lookup", "unknown_lookup", "未注册的订单核验接口 / "
                                                   f"no order lookup named {lookup!r} is registered")
        for name in ("strict", "uppercase"):
            if not isinstance(self.config_value(f, name), bool):
                add(f"config.{name}", "invalid_config", f"{name} 须为布尔值 / {name} must be a boolean")

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        text = check_text(value, multiline=False)
        if not text:
            return None
        if self.config_value(f, "uppercase") is True:
            text = text.upper()
        pattern = f.cache.get("regex") or re.compile(f.regex or DEFAULT_ORDER_PATTERN)
        f.cache["regex"] = pattern
        if len(text) > 64 or pattern.fullmatch(text) is None:
            raise FieldValueError("pattern_mismatch")
        return text

    def verify(self, entries: list[tuple[str, FieldDef, Any]], ctx: ValueContext) -> dict[str, Verified]:
        answer: dict[str, Verified] = {}
        if not ctx.verify_orders:
            return answer
        for path, f, value in entries:
            name = f.config.get("lookup")
            lookup = get_order_lookup(name) if isinstance(name, str) else None
            if lookup is None:
                continue
            try:
                found = lookup(value)
            except OrderLookupUnavailable:
                if self.config_value(f, "strict") is True:
                    answer[path] = (None, FieldValueError("order_lookup_failed"))
                continue
            if not found:
                answer[path] = (None, FieldValueError("order_not_found", value=value))
        return answer

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "string", "pattern": f"^(?:{f.regex or DEFAULT_ORDER_PATTERN})$", "maxLength": 64}


TYPES: tuple[type[FieldType], ...] = (UserType, MultiUserType, DepartmentType, CustomerType, ProductType,
                                      RelatedTicketType, OrderNumberType)
