"""Turning one spreadsheet row into ticket fields: value maps, dates, product codes, customers,
defaults — and validating it the way the ticket API does (form data through the form engine).

The converter caches the lookup tables (categories, products, users, teams, departments) once
per run; customers are matched in batches by ``match_customers``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from complaintdesk.accounts.models import Department, Team, User
from complaintdesk.core import clock
from complaintdesk.customers.choices import CustomerTier
from complaintdesk.customers.models import Customer, CustomerExternalId, Product
from complaintdesk.forms.choices import VersionStatus
from complaintdesk.forms.models import FormVersion
from complaintdesk.tickets.choices import Level, Priority, TicketStatus
from complaintdesk.tickets.models import Category
from complaintdesk.transfer.mapping import DATE_TARGETS, TARGETS_BY_KEY, Mapping

if TYPE_CHECKING:
    from complaintdesk.forms.schema import FormSchema

MAX_SUBJECT = 300
MAX_DESCRIPTION = 20000
_EXCEL_EPOCH = datetime(1899, 12, 30)
_DATE_RE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]+(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2})(?:\.\d+)?)?\s*秒?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?$")
_LEVEL_WORDS = {"高": "high", "中": "medium", "低": "low", "紧急": "high", "一般": "medium", "普通": "medium",
                "较高": "high", "较低": "low", "严重": "high", "h": "high", "m": "medium", "l": "low"}
_STATUS_WORDS = {"待处理": "new", "未处理": "new", "新建": "new", "新工单": "new", "已受理": "accepted",
                 "受理": "accepted", "处理中": "in_progress", "进行中": "in_progress", "跟进中": "in_progress",
                 "待反馈": "pending_customer", "待客户反馈": "pending_customer", "已解决": "resolved",
                 "已处理": "resolved", "已完成": "resolved", "已关闭": "closed", "已结案": "closed", "结案": "closed",
                 "已完结": "closed", "关闭": "closed", "已重开": "reopened", "重开": "reopened", "已取消": "cancelled",
                 "取消": "cancelled", "作废": "cancelled", "open": "new", "pending": "pending_customer",
                 "done": "resolved", "solved": "resolved", "canceled": "cancelled"}
_FORMULA_GUARD = re.compile(r"^'(?=[=+\-@\t\r])")


def text_of(value: Any) -> str:
    """A cell as text: integers without ``.0``, dates ISO, the export's formula guard removed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value).strip()
    return _FORMULA_GUARD.sub("", text)


def normalise_product_code(code: str, *, remove: str, upper: bool) -> str:
    """``A-100`` and ``a100`` → ``A100`` with the default rules (separators removed, upper-cased)."""
    out = "".join(ch for ch in code.strip() if ch not in remove)
    return out.upper() if upper else out


def normalise_phone(text: str) -> str:
    digits = re.sub(r"[^\d+]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits.lstrip("+")


def _key(text: str) -> str:
    return "".join(text.split()).lower()


def _choice_table(choices: Any, words: dict[str, str] | None = None) -> dict[str, str]:
    """Lookup by value and label (and extra words) for a TextChoices: normalised text → value."""
    table = {_key(str(label)): str(v) for v, label in choices.choices}
    table.update({_key(str(v)): str(v) for v in choices.values})
    for word, value in (words or {}).items():
        table.setdefault(_key(word), value)
    return table


STATUS_TABLE = _choice_table(TicketStatus, _STATUS_WORDS)
LEVEL_TABLE = _choice_table(Level, _LEVEL_WORDS)
PRIORITY_TABLE = _choice_table(Priority)
TIER_TABLE = _choice_table(CustomerTier)


@dataclass
class CellError:
    row: int
    column: str
    value: str
    code: str
    zh: str
    en: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "code": self.code,
                "message": f"{self.zh} / {self.en}", "zh-CN": self.zh, "en": self.en}


@dataclass
class CustomerSpec:
    name: str = ""
    phone: str = ""
    email: str = ""
    external_id: str = ""
    region: str = ""
    company: str = ""
    tier: str = ""

    def keys(self, match: list[str]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for how in match:
            value = getattr(self, how)
            if value:
                out.append((how, value.lower() if how == "email" else value))
        return out

    @property
    def empty(self) -> bool:
        return not (self.name or self.phone or self.email or self.external_id)


@dataclass
class PreparedRow:
    """One converted row: ticket fields ready to write, or its errors."""

    row: int
    external_id: str
    fields: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    customer: CustomerSpec | None = None
    new_category: str | None = None
    errors: list[CellError] = field(default_factory=list)
    # A later row of the file has the same external id: that row wins, this one is skipped.
    superseded: bool = False
    # The form values before encrypted fields were sealed (a re-import keeps unchanged seals).
    plain_data: dict[str, Any] | None = None


@dataclass
class Misses:
    """Values a value map did not cover: target → value → rows."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, target: str, value: str) -> None:
        self.counts.setdefault(target, Counter())[value[:100]] += 1

    def as_list(self) -> list[dict[str, Any]]:
        return [{"field": target, "value": value, "rows": n}
                for target, counter in sorted(self.counts.items()) for value, n in counter.most_common(200)]


class RowConverter:
    """Converts rows of one file with one mapping; ``convert`` never touches the database beyond
    the lookups cached at construction (customers are matched per batch)."""

    def __init__(self, mapping: Mapping, headers: list[str], *, source_key: str) -> None:
        self.mapping = mapping
        self.headers = headers
        self.index = {h: i for i, h in enumerate(headers)}
        self.source_key = source_key
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.misses = Misses()
        self.new_categories: Counter[str] = Counter()
        self.now = clock.now()
        self.categories: dict[str, Category] = {}
        for c in Category.objects.all():
            for name in (c.key, c.name, c.name_en):
                if name:
                    self.categories.setdefault(_key(name), c)
        self.products: dict[str, Product] = {}
        for p in Product.objects.all():
            self.products.setdefault(self._product_key(p.sku), p)
        self.users: dict[str, User] = {}
        for u in User.objects.select_related("department"):
            for name in (u.username, u.display_name, u.email):
                if name:
                    self.users.setdefault(_key(name), u)
        self.teams = {_key(t.name): t for t in Team.objects.all()}
        self.departments: dict[str, Department] = {}
        for d in Department.objects.all():
            for dept_name in (d.name, d.code):
                if dept_name:
                    self.departments.setdefault(_key(dept_name), d)
        self.form_version: FormVersion | None = None
        self.schema: FormSchema | None = None
        self.form_columns: dict[str, str] = {}
        if mapping.form:
            from complaintdesk.forms.schema import compile_schema

            self.form_version = FormVersion.objects.select_related("form").filter(
                form__key=mapping.form, status=VersionStatus.PUBLISHED).first()
            if self.form_version is not None:
                self.schema = compile_schema(self.form_version.schema)
        for header, target in mapping.columns.items():
            if target.startswith("data."):
                self.form_columns[target[5:]] = header
        self._value_maps = {t: {_key(k): v for k, v in table.items()} for t, table in mapping.value_maps.items()}
        self._column_index = {t: (h, self.index[h]) for h, t in mapping.columns.items() if h in self.index}

    def external_id(self, row: int, cells: list[Any]) -> str:
        """The row's key: the old system's id, else the file's hash and the row number."""
        header = self._column_of("external_id")
        text = text_of(cells[self.index[header]]) if header is not None and header in self.index else ""
        if not text and "external_id" in self.mapping.defaults:
            text = str(self.mapping.defaults["external_id"])
        return text[:200] if text else f"{self.source_key}:{row}"

    def _column_of(self, target: str) -> str | None:
        found = self._column_index.get(target)
        return found[0] if found else None

    def _product_key(self, code: str) -> str:
        return normalise_product_code(code, remove=self.mapping.product_remove, upper=self.mapping.product_upper)

    # --- cells -----------------------------------------------------------------------------

    def _cell(self, cells: list[Any], target: str) -> tuple[str | None, Any]:
        found = self._column_index.get(target)
        if found is None:
            return None, None
        return found[0], cells[found[1]]

    def parse_datetime(self, value: Any) -> datetime | None:
        """Excel dates and serial numbers, ``2024/3/5``, ``2024-03-05 14:30``, ``2024年3月5日``,
        ``20240305``, ISO with offset, and the mapping's own formats; naive times are local."""
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            found = value
        elif isinstance(value, date):
            found = datetime.combine(value, time())
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if not 1 <= value < 2958466:  # Excel's range: 1900-01-01 .. 9999-12-31
                raise ValueError("serial out of range")
            found = _EXCEL_EPOCH + timedelta(days=float(value))
            found = found.replace(microsecond=0)
        else:
            text = text_of(value)
            if not text:
                return None
            m = _DATE_RE.match(text)
            c = _COMPACT_DATE_RE.match(text) if m is None else None
            if m is not None:
                y, mo, d, h, mi, s, tzs = m.groups()
                found = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
                if tzs:
                    from datetime import timezone as dt_timezone

                    if tzs == "Z":
                        return found.replace(tzinfo=UTC)
                    sign = 1 if tzs[0] == "+" else -1
                    digits = tzs[1:].replace(":", "")
                    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
                    return found.replace(tzinfo=dt_timezone(sign * offset)).astimezone(UTC)
            elif c is not None:
                y, mo, d, h, mi, s = c.groups()
                found = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
            elif re.fullmatch(r"\d+(\.\d+)?", text):
                return self.parse_datetime(float(text))
            else:
                for fmt in self.mapping.date_formats:
                    try:
                        found = datetime.strptime(text, fmt)
                        break
                    except ValueError:
                        continue
                else:
                    raise ValueError("unrecognised date")
        if found.tzinfo is None:
            found = found.replace(tzinfo=self.tz)
        return found.astimezone(UTC)

    def _lookup(self, target: str, raw: str, table: dict[str, Any]) -> Any:
        """A value through the value map, then the built-in names; ``None`` for a miss."""
        key = _key(raw)
        mapped = self._value_maps.get(target, {}).get(key)
        if mapped is not None:
            key = _key(mapped)
        return table.get(key)

    # --- the row ---------------------------------------------------------------------------

    def convert(self, row: int, cells: list[Any]) -> PreparedRow:
        m = self.mapping
        out = PreparedRow(row=row, external_id="")
        errors = out.errors

        def error(target: str, header: str | None, value: Any, code: str, zh: str, en: str) -> None:
            errors.append(CellError(row, header or target, text_of(value)[:200], code, zh, en))

        def value_of(target: str) -> tuple[str | None, str]:
            header, value = self._cell(cells, target)
            text = text_of(value)
            if not text and target in m.defaults:
                return header, str(m.defaults[target])
            return header, text

        def choose(target: str, table: dict[str, Any], label: str) -> Any:
            header, text = value_of(target)
            if not text:
                return None
            found = self._lookup(target, text, table)
            if found is not None:
                return found
            self.misses.add(target, text)
            how = m.unmapped.get(target, "error")
            if how == "default" and target in m.defaults:
                return self._lookup(target, str(m.defaults[target]), table)
            if how in ("default", "empty"):
                return None
            error(target, header, text, "unknown_value", f"未知的{label}“{text[:50]}”，请在值映射中指定",
                  f"Unknown {TARGETS_BY_KEY[target].label.split(' / ')[-1].lower()} {text[:50]!r}: add it to the "
                  f"value map")
            return None

        header, ext = value_of("external_id")
        out.external_id = self.external_id(row, cells)
        if ext and len(ext) > 200:
            error("external_id", header, ext, "too_long", "原系统编号超过 200 字符", "External id longer than 200")

        subject_header, subject = value_of("subject")
        _, description = value_of("description")
        if not subject and description:
            subject = description.splitlines()[0][:60]
        if not subject:
            error("subject", subject_header, "", "required", "主题不能为空", "Subject is required")
        out.fields["subject"] = subject[:MAX_SUBJECT]
        if len(description) > MAX_DESCRIPTION:
            error("description", self._column_of("description"), description[:50], "too_long",
                  f"描述超过 {MAX_DESCRIPTION} 字符", f"Description longer than {MAX_DESCRIPTION} characters")
        out.fields["description"] = description
        _, order_number = value_of("order_number")
        out.fields["order_number"] = order_number[:64]

        status = choose("status", STATUS_TABLE, "状态")
        out.fields["status"] = status or TicketStatus.NEW
        out.fields["urgency"] = choose("urgency", LEVEL_TABLE, "紧急程度") or Level.MEDIUM
        out.fields["impact"] = choose("impact", LEVEL_TABLE, "影响面") or Level.MEDIUM
        out.fields["priority"] = choose("priority", PRIORITY_TABLE, "优先级")

        _, cat_text = value_of("category")
        if cat_text:
            category = self._lookup("category", cat_text, self.categories)
            if category is not None:
                out.fields["category"] = category
            elif m.create_categories:
                name = self._value_maps.get("category", {}).get(_key(cat_text), cat_text)[:100]
                out.new_category = name
                self.new_categories[name] += 1
            else:
                out.fields["category"] = choose("category", self.categories, "分类")
        prod_header, prod_text = value_of("product")
        if prod_text:
            mapped = self._value_maps.get("product", {}).get(_key(prod_text), prod_text)
            product = self.products.get(self._product_key(mapped))
            if product is None:
                self.misses.add("product", prod_text)
                if m.unmapped.get("product", "error") == "error":
                    error("product", prod_header, prod_text, "unknown_value",
                          f"未知的产品“{prod_text[:50]}”（按规则规范化后为 {self._product_key(mapped)[:50]}）",
                          f"Unknown product {prod_text[:50]!r} (normalised {self._product_key(mapped)[:50]!r})")
            out.fields["product"] = product
        assignee = choose("assignee", self.users, "处理人")
        if assignee is not None and not assignee.is_active:
            error("assignee", self._column_of("assignee"), assignee.username, "inactive",
                  "不能分派给已停用的用户", "Cannot assign to a deactivated user")
        out.fields["assignee"] = assignee
        out.fields["team"] = choose("team", self.teams, "团队")
        department = choose("department", self.departments, "部门")
        out.fields["department"] = department or (assignee.department if assignee is not None else None)

        _, tags_text = value_of("tags")
        tags = sorted({t.strip() for t in re.split(r"[,，;；、|/]", tags_text) if t.strip()})
        if len(tags) > 20 or any(len(t) > 50 for t in tags):
            error("tags", self._column_of("tags"), tags_text, "invalid", "标签过多或过长（最多 20 个，每个 50 字）",
                  "Too many or too long tags (max 20 × 50 characters)")
            tags = []
        out.tags = tags

        stamps: dict[str, datetime | None] = {}
        for target in DATE_TARGETS:
            header, value = self._cell(cells, target)
            try:
                stamps[target] = self.parse_datetime(value)
            except (ValueError, OverflowError):
                stamps[target] = None
                error(target, header, value, "invalid_date",
                      "无法识别的日期/时间（支持 2024-03-05、2024/3/5、2024年3月5日、"
                      "Excel 日期）", "Unrecognised date/time (2024-03-05, 2024/3/5, 2024年3月5日, Excel dates)")
        created = stamps["created_at"] or self.now
        if created > self.now + timedelta(days=1):
            error("created_at", self._column_of("created_at"), created.isoformat(), "future",
                  "登记时间在未来", "Created time is in the future")
        for target in ("accepted_at", "first_response_at", "resolved_at", "closed_at"):
            stamp = stamps[target]
            if stamp is not None and stamp < created:
                error(target, self._column_of(target), stamp.isoformat(), "before_created",
                      "早于登记时间", "Earlier than the created time")
        status = out.fields["status"]
        if status in (TicketStatus.RESOLVED, TicketStatus.CLOSED) and stamps["resolved_at"] is None:
            stamps["resolved_at"] = stamps["closed_at"] or created
        if status == TicketStatus.CLOSED and stamps["closed_at"] is None:
            stamps["closed_at"] = stamps["resolved_at"] or created
        if status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
            stamps["resolved_at"] = None if status != TicketStatus.CANCELLED else stamps["resolved_at"]
            stamps["closed_at"] = None if status != TicketStatus.CANCELLED else stamps["closed_at"]
        if status != TicketStatus.NEW and stamps["accepted_at"] is None:
            stamps["accepted_at"] = created
        out.fields["created_at"] = created
        for target in ("accepted_at", "first_response_at", "resolved_at", "closed_at"):
            out.fields[target] = stamps[target]
        out.fields["updated_at"] = max(s for s in (created, *(stamps[t] for t in DATE_TARGETS)) if s is not None)

        spec = CustomerSpec()
        for attr in ("name", "phone", "email", "external_id", "region", "company"):
            header, text = value_of(f"customer.{attr}")
            setattr(spec, attr, text)
            if attr == "phone" and text:
                spec.phone = normalise_phone(text)
                if not 5 <= len(spec.phone) <= 20 or not spec.phone.isdigit():
                    error("customer.phone", header, text, "invalid_phone", "电话号码无效", "Invalid phone number")
                    spec.phone = ""
            if attr == "email" and text:
                try:
                    validate_email(text)
                except ValidationError:
                    error("customer.email", header, text, "invalid_email", "邮箱格式无效", "Invalid email address")
                    spec.email = ""
        spec.tier = choose("customer.tier", TIER_TABLE, "客户等级") or ""
        spec.name, spec.region, spec.company = spec.name[:200], spec.region[:100], spec.company[:200]
        out.customer = None if spec.empty else spec

        if self.form_columns or (self.schema is not None and any(k.startswith("data.") for k in m.defaults)):
            values: dict[str, Any] = {}
            for key, header in self.form_columns.items():
                value = cells[self.index[header]] if header in self.index else None
                if value is None or value == "":
                    default = m.defaults.get(f"data.{key}")
                    if default is not None:
                        values[key] = default
                    continue
                values[key] = self._form_value(key, value)
            for name, default in m.defaults.items():
                if name.startswith("data.") and name[5:] not in values:
                    values[name[5:]] = default
            out.data = values
        return out

    def _form_value(self, key: str, value: Any) -> Any:
        """A cell as the form engine expects it: dates as ISO text, numbers as numbers, the rest text."""
        f = self.schema.by_key.get(key) if self.schema is not None else None
        kind = f.type if f is not None else ""
        if kind in ("date", "datetime", "time") or isinstance(value, datetime | date):
            try:
                stamp = self.parse_datetime(value)
            except (ValueError, OverflowError):
                return text_of(value)
            if stamp is None:
                return None
            local = stamp.astimezone(self.tz)
            return local.date().isoformat() if kind == "date" else local.isoformat()
        if isinstance(value, int | float) and not isinstance(value, bool):
            return int(value) if isinstance(value, float) and value.is_integer() else value
        if kind in ("checkbox", "multi_select", "tags"):
            return [t.strip() for t in re.split(r"[,，;；、|]", text_of(value)) if t.strip()]
        return text_of(value)


def match_customers(specs: list[CustomerSpec], *, match: list[str], system: str) -> dict[tuple[str, str], int]:
    """Existing customers for the specs' keys, in three queries: ``(how, value) → customer id``."""
    found: dict[tuple[str, str], int] = {}
    ext = {s.external_id for s in specs if s.external_id}
    phones = {s.phone for s in specs if s.phone}
    emails = {s.email.lower() for s in specs if s.email}
    if "external_id" in match and ext:
        for value, cid in CustomerExternalId.objects.filter(system=system, value__in=ext).values_list(
                "value", "customer_id"):
            found[("external_id", value)] = cid
    if "phone" in match and phones:
        for phone, cid in Customer.objects.filter(phone__in=phones).order_by("-id").values_list("phone", "id"):
            found[("phone", phone)] = cid  # the oldest wins (ordered newest first)
    if "email" in match and emails:
        for email, cid in Customer.objects.filter(email__in=emails).order_by("-id").values_list("email", "id"):
            found[("email", email.lower())] = cid
    return found
