"""Field catalogs: the fields a condition may name, their types, how to read each from a record
(Python) and where it lives in the database (ORM path).

A catalog is the contract between the condition format and a kind of record. ``TICKET_FIELDS``
describes a ``Ticket`` (core columns, related objects, tags, custom ``data`` fields);
``ticket_fields_with_form`` adds the declared ``data.<key>`` fields of a form;
``record_catalog`` describes plain ``dict`` records (submitted form values) that are only ever
evaluated in Python. The semantics of each type are in docs/conditions.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from complaintdesk.customers.choices import CustomerTier
from complaintdesk.tickets.choices import Channel, Level, Priority, TicketStatus


class FieldType(StrEnum):
    TEXT = "text"  # free text: compared case-insensitively for ASCII letters
    NUMBER = "number"
    BOOL = "bool"
    DATETIME = "datetime"
    DATE = "date"
    CHOICE = "choice"  # a code from a fixed or configured list: compared exactly
    MULTI = "multi"  # a list of strings (tags, multi-select)
    ID = "id"  # a reference by primary key
    TREE = "tree"  # a node of a tree named by key; matches the node and its descendants
    ANY = "any"  # an undeclared data field under is_empty / is_not_empty only


OPERATORS: dict[FieldType, tuple[str, ...]] = {
    FieldType.TEXT: ("eq", "ne", "in", "not_in", "contains", "not_contains", "starts_with", "any_keyword",
                     "is_empty", "is_not_empty"),
    FieldType.CHOICE: ("eq", "ne", "in", "not_in", "is_empty", "is_not_empty"),
    FieldType.ID: ("eq", "ne", "in", "not_in", "is_empty", "is_not_empty"),
    FieldType.NUMBER: ("eq", "ne", "gt", "gte", "lt", "lte", "between", "in", "not_in", "is_empty", "is_not_empty"),
    FieldType.BOOL: ("eq", "ne", "is_empty", "is_not_empty"),
    FieldType.DATETIME: ("eq", "ne", "gt", "gte", "lt", "lte", "between", "before", "after", "within_last",
                         "within_next", "is_empty", "is_not_empty"),
    FieldType.DATE: ("eq", "ne", "gt", "gte", "lt", "lte", "between", "before", "after", "within_last",
                     "within_next", "is_empty", "is_not_empty"),
    FieldType.MULTI: ("contains", "not_contains", "in", "not_in", "is_empty", "is_not_empty"),
    FieldType.TREE: ("eq", "ne", "in", "not_in", "is_empty", "is_not_empty"),
    FieldType.ANY: ("is_empty", "is_not_empty"),
}

ALL_OPERATORS: frozenset[str] = frozenset(op for ops in OPERATORS.values() for op in ops)

# Keys of custom fields: safe inside a JSON path on both databases without quoting tricks.
DATA_KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]{0,63}")


@dataclass(frozen=True)
class TreeSpec:
    """Where a tree lives: ``model`` ("app_label.Model") with a unique ``key_field`` and a
    materialised ``path_field`` ("/1/4/9/", ancestor ids)."""

    model: str
    key_field: str = "key"
    path_field: str = "path"


@dataclass(frozen=True)
class Field:
    """One field a condition may name.

    ``getter`` reads the raw value from a record (``None`` when absent). ``orm_path`` is the
    Django lookup path from the catalog's model (``"customer__tier"``); ``None`` means the field
    cannot be compiled to SQL. ``json`` marks a value stored in a JSON column (the column is the
    last segment of ``orm_path``; ``json_key`` the key inside it, ``None`` for the whole column) or
    held in a plain dict record: such values are typed by their JSON type (see docs).
    """

    name: str
    type: FieldType
    getter: Callable[[Any], Any]
    label: str = ""
    label_en: str = ""
    orm_path: str | None = None
    json: bool = False
    json_key: str | None = None
    choices: tuple[str, ...] = ()
    tree: TreeSpec | None = None
    # What a formula reference to this field reads, when not the value itself (a category's key
    # rather than its tree path).
    formula_getter: Callable[[Any], Any] | None = None

    @property
    def operators(self) -> tuple[str, ...]:
        return OPERATORS[self.type]

    def describe(self) -> dict[str, Any]:
        """What the condition builder UI needs to offer this field."""
        return {
            "name": self.name, "type": str(self.type), "label": self.label or self.name,
            "label_en": self.label_en or self.label or self.name, "operators": list(self.operators),
            "choices": list(self.choices), "queryable": self.orm_path is not None,
        }


@dataclass(frozen=True)
class FieldCatalog:
    """The fields of one kind of record.

    ``model`` ("app_label.Model") is what ``condition_to_q`` filters; ``dynamic_data`` (a JSON
    column name) lets conditions name undeclared ``data.<key>`` fields, typed from the condition's
    value. ``select_related``/``prefetch_related`` say what to load so evaluating many records
    costs a fixed number of queries (``prepare``).
    """

    name: str
    fields: Mapping[str, Field]
    model: str | None = None
    dynamic_data: str | None = None
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    _dynamic_cache: dict[tuple[str, FieldType], Field] = field(default_factory=dict, compare=False, repr=False)
    # Checked conditions by their JSON text (complaintdesk.expressions.conditions keeps it).
    compiled_cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def get(self, name: str) -> Field | None:
        return self.fields.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self.fields

    def __iter__(self) -> Iterator[Field]:
        return iter(self.fields.values())

    def allows_dynamic(self, name: str) -> bool:
        return self.dynamic_data is not None and name.startswith("data.") and name not in self.fields

    def dynamic_field(self, name: str, type_: FieldType) -> Field:
        """An undeclared ``data.<key>`` field read as ``type_``."""
        cache_key = (name, type_)
        found = self._dynamic_cache.get(cache_key)
        if found is None:
            found = data_field(name.removeprefix("data."), type_, column=self.dynamic_data or "data")
            self._dynamic_cache[cache_key] = found
        return found

    def extended(self, extra: Iterable[Field], *, name: str | None = None) -> FieldCatalog:
        """A new catalog with ``extra`` fields added (replacing fields of the same name)."""
        merged = dict(self.fields)
        for f in extra:
            merged[f.name] = f
        return replace(self, name=name or self.name, fields=merged, _dynamic_cache={}, compiled_cache={})

    def describe(self) -> list[dict[str, Any]]:
        return [f.describe() for f in self.fields.values()]

    def prepare(self, queryset: Any) -> Any:
        """``queryset`` with the relations the getters read, loaded up front."""
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return queryset


# --- getters --------------------------------------------------------------------------------


def follow(*attrs: str) -> Callable[[Any], Any]:
    """A getter walking attributes; ``None`` anywhere on the way gives ``None``."""

    def get(obj: Any) -> Any:
        for attr in attrs:
            if obj is None:
                return None
            obj = getattr(obj, attr)
        return obj

    return get


def _json_getter(column: str, key: str) -> Callable[[Any], Any]:
    def get(obj: Any) -> Any:
        data = getattr(obj, column, None)
        return data.get(key) if isinstance(data, dict) else None

    return get


def _record_getter(key: str) -> Callable[[Any], Any]:
    def get(record: Any) -> Any:
        return record.get(key) if isinstance(record, Mapping) else None

    return get


def _tag_names(ticket: Any) -> list[str]:
    if ticket.pk is None:
        return []
    return [tag.name for tag in ticket.tags.all()]


def _category_path(ticket: Any) -> str | None:
    return ticket.category.path if ticket.category_id is not None else None


# --- building fields ------------------------------------------------------------------------


def data_field(key: str, type_: FieldType | str, *, label: str = "", label_en: str = "",
               choices: Iterable[str] = (), column: str = "data") -> Field:
    """A custom field stored under ``key`` in the JSON column ``column`` (``ticket.data``)."""
    if not DATA_KEY_RE.fullmatch(key):
        raise ValueError(f"invalid data field key {key!r}")
    if FieldType(type_) == FieldType.TREE:
        raise ValueError("a custom field cannot be a tree; use choice")
    return Field(
        name=f"data.{key}", type=FieldType(type_), getter=_json_getter(column, key), label=label or key,
        label_en=label_en or label or key, orm_path=column, json=True, json_key=key, choices=tuple(choices),
    )


@dataclass(frozen=True)
class DeclaredField:
    """A form field as the condition format sees it: key, condition type, labels, choices."""

    key: str
    type: FieldType | str
    label: str = ""
    label_en: str = ""
    choices: tuple[str, ...] = ()


def _declared(spec: DeclaredField | Mapping[str, Any] | tuple[str, str]) -> DeclaredField:
    if isinstance(spec, DeclaredField):
        return spec
    if isinstance(spec, tuple):
        return DeclaredField(key=spec[0], type=spec[1])
    return DeclaredField(key=spec["key"], type=spec["type"], label=spec.get("label", ""),
                         label_en=spec.get("label_en", ""), choices=tuple(spec.get("choices", ())))


def ticket_fields_with_form(
    form_fields: Iterable[DeclaredField | Mapping[str, Any] | tuple[str, str]], *, name: str = "ticket+form"
) -> FieldCatalog:
    """``TICKET_FIELDS`` plus the form's custom fields as typed ``data.<key>`` fields."""
    extra = []
    for spec in map(_declared, form_fields):
        extra.append(data_field(spec.key, spec.type, label=spec.label, label_en=spec.label_en,
                                choices=spec.choices))
    return TICKET_FIELDS.extended(extra, name=name)


def record_catalog(
    fields: Iterable[DeclaredField | Mapping[str, Any] | tuple[str, str]], *, name: str = "record"
) -> FieldCatalog:
    """A catalog for plain ``dict`` records (submitted form values, keys without ``data.``);
    evaluated in Python only."""
    out: dict[str, Field] = {}
    for spec in map(_declared, fields):
        if not DATA_KEY_RE.fullmatch(spec.key):
            raise ValueError(f"invalid field key {spec.key!r}")
        if FieldType(spec.type) == FieldType.TREE:
            raise ValueError("a record field cannot be a tree; use choice")
        out[spec.key] = Field(
            name=spec.key, type=FieldType(spec.type), getter=_record_getter(spec.key), label=spec.label or spec.key,
            label_en=spec.label_en or spec.label or spec.key, json=True, choices=tuple(spec.choices),
        )
    return FieldCatalog(name=name, fields=out)


def _f(name: str, type_: FieldType, label: str, label_en: str, *, attrs: tuple[str, ...] | None = None,
       orm: str | None = None, choices: Iterable[str] = (), getter: Callable[[Any], Any] | None = None,
       tree: TreeSpec | None = None, json: bool = False, formula_getter: Callable[[Any], Any] | None = None
       ) -> Field:
    attrs = attrs or tuple(name.split("."))
    return Field(
        name=name, type=type_, getter=getter or follow(*attrs), label=label, label_en=label_en,
        orm_path=orm or "__".join(attrs), choices=tuple(choices), tree=tree, json=json,
        formula_getter=formula_getter,
    )


T = FieldType

TICKET_FIELDS = FieldCatalog(
    name="ticket",
    model="tickets.Ticket",
    dynamic_data="data",
    select_related=("customer", "category", "product", "product__line", "team", "department", "assignee",
                    "created_by"),
    prefetch_related=("tags",),
    fields={f.name: f for f in [
        _f("number", T.TEXT, "工单编号", "Ticket number"),
        _f("subject", T.TEXT, "主题", "Subject"),
        _f("description", T.TEXT, "描述", "Description"),
        _f("order_number", T.TEXT, "订单号", "Order number"),
        _f("status", T.CHOICE, "状态", "Status", choices=TicketStatus.values),
        _f("priority", T.CHOICE, "优先级", "Priority", choices=Priority.values),
        _f("urgency", T.CHOICE, "紧急程度", "Urgency", choices=Level.values),
        _f("impact", T.CHOICE, "影响面", "Impact", choices=Level.values),
        _f("channel", T.CHOICE, "渠道", "Channel", choices=Channel.values),
        # By key, covering the subtree: "产品质量" also matches "功能故障" below it, as the ticket
        # list's category filter does. category.key is the exact node.
        _f("category", T.TREE, "分类（含子类）", "Category (with subcategories)", orm="category",
           getter=_category_path, tree=TreeSpec(model="tickets.Category"), formula_getter=follow("category", "key")),
        _f("category.key", T.CHOICE, "分类编码（仅本级）", "Category key (exact)"),
        _f("category.name", T.TEXT, "分类名称", "Category name"),
        _f("category_id", T.ID, "分类ID", "Category id"),
        _f("product", T.CHOICE, "产品SKU", "Product SKU", attrs=("product", "sku")),
        _f("product.name", T.TEXT, "产品名称", "Product name"),
        _f("product.line", T.TEXT, "产品线", "Product line", attrs=("product", "line", "name")),
        _f("product.line_id", T.ID, "产品线ID", "Product line id"),
        _f("product_id", T.ID, "产品ID", "Product id"),
        _f("customer_id", T.ID, "客户ID", "Customer id"),
        _f("customer.name", T.TEXT, "客户名称", "Customer name"),
        _f("customer.tier", T.CHOICE, "客户等级", "Customer tier", choices=CustomerTier.values),
        _f("customer.region", T.TEXT, "客户地区", "Customer region"),
        _f("customer.region_code", T.CHOICE, "客户地区代码", "Customer region code"),
        _f("customer.company", T.TEXT, "客户公司", "Customer company"),
        _f("customer.tags", T.MULTI, "客户标签", "Customer tags", json=True),
        _f("assignee_id", T.ID, "处理人ID", "Assignee id"),
        _f("team_id", T.ID, "团队ID", "Team id"),
        _f("team.name", T.TEXT, "团队", "Team"),
        _f("department_id", T.ID, "部门ID", "Department id"),
        _f("department.name", T.TEXT, "部门", "Department"),
        _f("created_by_id", T.ID, "创建人ID", "Created by (id)"),
        _f("tags", T.MULTI, "标签", "Tags", orm="tags__name", getter=_tag_names),
        _f("is_repeat", T.BOOL, "重复投诉", "Repeat complaint"),
        _f("reopen_count", T.NUMBER, "重开次数", "Times reopened"),
        _f("created_at", T.DATETIME, "创建时间", "Created at"),
        _f("updated_at", T.DATETIME, "更新时间", "Updated at"),
        _f("accepted_at", T.DATETIME, "受理时间", "Accepted at"),
        _f("first_response_at", T.DATETIME, "首次响应时间", "First response at"),
        _f("resolved_at", T.DATETIME, "解决时间", "Resolved at"),
        _f("closed_at", T.DATETIME, "关闭时间", "Closed at"),
        _f("first_response_due_at", T.DATETIME, "首次响应期限", "First response due"),
        _f("resolution_due_at", T.DATETIME, "解决期限", "Resolution due"),
    ]},
)
