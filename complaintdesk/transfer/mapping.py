"""The import mapping: which column feeds which ticket or form field, value maps, defaults, date
formats and customer matching — suggested from the header names (Chinese and English synonyms)
and sample values, edited by the user, saved as YAML/JSON for the CLI.

A mapping (``docs/migration.md`` has a full example)::

    {"columns": {"原工单号": "external_id", "状态": "status", "客户电话": "customer.phone",
                 "故障现象": "data.symptom"},
     "value_maps": {"status": {"待处理": "new", "已完结": "closed"}, "category": {"质量问题": "malfunction"}},
     "unmapped": {"status": "default"},
     "defaults": {"status": "closed", "urgency": "medium"},
     "product_code": {"remove": "- _/.", "upper": true},
     "date_formats": ["%d.%m.%Y"],
     "customer_match": ["external_id", "phone", "email"], "customer_system": "crm",
     "create_customers": true, "create_categories": false, "form": "general",
     "sheet": null, "header_row": null, "batch_size": 2000}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from complaintdesk.core.errors import InvalidInput
from complaintdesk.customers.choices import ExternalSystem


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    synonyms: tuple[str, ...]
    kind: str = "text"  # text, date, status, category, product, level, priority, tags, user, team, department


TARGETS: tuple[Target, ...] = (
    Target("external_id", "原系统编号 / External id",
           ("外部编号", "原系统编号", "原工单号", "原编号", "外部id", "来源编号", "投诉编号", "工单号", "工单编号",
            "单号", "编号", "id", "externalid", "ticketid", "ticketno", "caseid", "caseno", "oldid", "legacyid")),
    Target("subject", "主题 / Subject", ("主题", "标题", "投诉标题", "投诉主题", "问题标题", "事由", "subject", "title",
                                     "summary")),
    Target("description", "描述 / Description",
           ("描述", "详细描述", "问题描述", "投诉内容", "内容", "详情", "情况说明", "投诉详情", "description",
            "details",
            "content", "body")),
    Target("status", "状态 / Status", ("状态", "处理状态", "工单状态", "当前状态", "进度", "status", "state"),
           "status"),
    Target("category", "分类 / Category", ("分类", "类别", "投诉类别", "投诉分类", "问题分类", "投诉类型", "问题类型",
                                        "category", "type", "complainttype"), "category"),
    Target("product", "产品 / Product (SKU)", ("产品", "产品型号", "型号", "产品编码", "产品代码", "sku", "物料编码",
                                           "product", "productcode", "model"), "product"),
    Target("order_number", "订单号 / Order number", ("订单号", "订单编号", "订单", "ordernumber", "orderno", "order"),),
    Target("urgency", "紧急程度 / Urgency", ("紧急程度", "紧急度", "urgency"), "level"),
    Target("impact", "影响面 / Impact", ("影响面", "影响范围", "影响程度", "impact"), "level"),
    Target("priority", "优先级 / Priority", ("优先级", "级别", "priority"), "priority"),
    Target("tags", "标签 / Tags", ("标签", "tags", "tag", "label", "labels"), "tags"),
    Target("assignee", "处理人 / Assignee", ("处理人", "负责人", "经办人", "承办人", "assignee", "owner", "handler"),
           "user"),
    Target("team", "团队 / Team", ("团队", "小组", "班组", "team", "group"), "team"),
    Target("department", "部门 / Department", ("部门", "责任部门", "处理部门", "department", "dept"), "department"),
    Target("created_at", "登记时间 / Created at",
           ("登记时间", "创建时间", "投诉时间", "投诉日期", "受理日期", "日期", "提交时间", "来电时间", "createdat",
            "created", "date", "createdate", "opened", "openedat")),
    Target("accepted_at", "受理时间 / Accepted at", ("受理时间", "acceptedat", "accepted")),
    Target("first_response_at", "首次响应时间 / First response at",
           ("首次响应时间", "首次回复时间", "firstresponseat")),
    Target("resolved_at", "解决时间 / Resolved at", ("解决时间", "解决日期", "处理完成时间", "完成时间", "resolvedat",
                                                 "resolved", "solvedat")),
    Target("closed_at", "关闭时间 / Closed at", ("关闭时间", "结案时间", "结案日期", "关闭日期", "closedat", "closed")),
    Target("customer.name", "客户姓名 / Customer name",
           ("客户姓名", "客户名称", "客户", "姓名", "投诉人", "联系人", "customer", "customername", "name", "contact")),
    Target("customer.phone", "客户电话 / Customer phone",
           ("客户电话", "联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "phone", "mobile", "tel",
            "telephone")),
    Target("customer.email", "客户邮箱 / Customer email",
           ("客户邮箱", "邮箱", "电子邮箱", "电子邮件", "email", "mail")),
    Target("customer.external_id", "客户编号 / Customer external id",
           ("客户编号", "客户id", "会员号", "会员编号", "客户代码", "customerid", "customerno", "memberid")),
    Target("customer.region", "地区 / Region", ("地区", "区域", "省市", "所在地区", "region", "area")),
    Target("customer.company", "公司 / Company", ("公司", "单位", "公司名称", "company")),
    Target("customer.tier", "客户等级 / Customer tier", ("客户等级", "会员等级", "等级", "tier"), "tier"),
)
TARGETS_BY_KEY = {t.key: t for t in TARGETS}
DATE_TARGETS = ("created_at", "accepted_at", "first_response_at", "resolved_at", "closed_at")
DEFAULTABLE = {"subject", "description", "status", "category", "product", "urgency", "impact", "priority", "tags",
               "assignee", "team", "department", "customer.tier", "customer.region", "order_number"}
MAPPABLE_VALUES = {"status", "category", "product", "urgency", "impact", "priority", "assignee", "team",
                   "department", "customer.tier"}
MAPPING_KEYS = {"columns", "value_maps", "unmapped", "defaults", "product_code", "date_formats", "customer_match",
                "customer_system", "create_customers", "create_categories", "form", "sheet", "header_row",
                "batch_size", "ignore"}
MAX_BATCH = 10000


def normalise_header(text: str) -> str:
    """Lower-case, without spaces, punctuation or a trailing unit in brackets: 客户电话（手机）→ 客户电话手机."""
    text = re.sub(r"[\s_\-./:：*＊#（）()\[\]【】]", "", str(text).lower())
    return text


_SYNONYMS: dict[str, str] = {}
# How strongly a name means its target (0 = the first synonym): of two columns that both name the
# external id (外部编号 and 工单编号 in our own export), the stronger one is taken.
_RANK: dict[str, int] = {}
for _t in TARGETS:
    for _i, _s in enumerate(_t.synonyms):
        if normalise_header(_s) not in _SYNONYMS:
            _SYNONYMS[normalise_header(_s)] = _t.key
            _RANK[normalise_header(_s)] = _i
    _SYNONYMS.setdefault(normalise_header(_t.key), _t.key)


def header_score(text: str) -> int:
    """1 when ``text`` is a known column name (used to find the header row)."""
    return 1 if normalise_header(text) in _SYNONYMS else 0


_PHONE = re.compile(r"^(\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _looks_like(values: list[Any]) -> str | None:
    texts = [str(v).strip() for v in values if v not in (None, "")]
    if not texts:
        return None
    if all(_PHONE.match(t) for t in texts):
        return "customer.phone"
    if all(_EMAIL.match(t) for t in texts):
        return "customer.email"
    return None


def suggest_mapping(headers: list[str], samples: list[list[Any]], *,
                    form_fields: list[tuple[str, str, str]] | None = None) -> dict[str, Any]:
    """A first mapping: each header matched to a target by its name (exact synonym, then a
    synonym contained in it), else by what its sample values look like (phone, email). Form
    fields (``key, zh label, en label``) are matched by key and labels; one column per target."""
    by_name: dict[str, str] = dict(_SYNONYMS)
    for key, zh, en in form_fields or []:
        for name in (key, zh, en):
            if name:
                by_name.setdefault(normalise_header(name), f"data.{key}")
    columns: dict[str, str] = {}
    taken: set[str] = set()
    # Exact names first, so that "联系电话" wins over a fuzzy "电话备注"; the strongest name per target.
    exact = sorted(((_RANK.get(normalise_header(h), 0), i, h) for i, h in enumerate(headers)
                    if normalise_header(h) in by_name))
    for _, _, header in exact:
        target = by_name[normalise_header(header)]
        if target not in taken:
            columns[header] = target
            taken.add(target)
    for header in headers:
        if header in columns:
            continue
        norm = normalise_header(header)
        candidates = sorted(((len(name), t) for name, t in by_name.items() if len(name) >= 2 and name in norm
                             and t not in taken), reverse=True)
        if candidates:
            columns[header] = candidates[0][1]
            taken.add(candidates[0][1])
    for index, header in enumerate(headers):
        if header in columns:
            continue
        guess = _looks_like([row[index] for row in samples if index < len(row)])
        if guess and guess not in taken:
            columns[header] = guess
            taken.add(guess)
    return {"columns": columns, "value_maps": {}, "unmapped": {}, "defaults": {},
            "product_code": {"remove": "- _/.", "upper": True}, "date_formats": [],
            "customer_match": ["external_id", "phone", "email"], "customer_system": ExternalSystem.OTHER.value,
            "create_customers": True, "create_categories": False, "form": None, "sheet": None,
            "header_row": None, "batch_size": 2000}


@dataclass
class Mapping:
    """A checked mapping (``check_mapping``)."""

    columns: dict[str, str]
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)
    unmapped: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    product_remove: str = "- _/."
    product_upper: bool = True
    date_formats: list[str] = field(default_factory=list)
    customer_match: list[str] = field(default_factory=lambda: ["external_id", "phone", "email"])
    customer_system: str = ExternalSystem.OTHER.value
    create_customers: bool = True
    create_categories: bool = False
    form: str | None = None
    sheet: str | int | None = None
    header_row: int | None = None
    batch_size: int = 2000

    def column_of(self, target: str) -> str | None:
        for header, t in self.columns.items():
            if t == target:
                return header
        return None


def _problem(problems: dict[str, str], where: str, message: str) -> None:
    problems[where] = message


def check_mapping(raw: Any, headers: list[str] | None = None) -> Mapping:
    """Validate a mapping document; every problem is reported at once (422 ``invalid_mapping``)."""
    if not isinstance(raw, dict):
        raise InvalidInput("映射必须是对象 / The mapping must be an object", code="invalid_mapping",
                           details={"mapping": "object expected"})
    problems: dict[str, str] = {}
    for key in raw:
        if key not in MAPPING_KEYS:
            _problem(problems, str(key)[:64], "未知设置 / unknown setting")
    columns_raw = raw.get("columns") or {}
    # Only checked against the file's columns when given; types are always checked.
    columns: dict[str, str] = {}
    if not isinstance(columns_raw, dict):
        _problem(problems, "columns", "应为 列名→字段 的对象 / an object of column → field expected")
        columns_raw = {}
    used: dict[str, str] = {}
    for header, target in columns_raw.items():
        if target in (None, "", "ignore"):
            continue
        where = f"columns.{str(header)[:64]}"
        if not isinstance(target, str):
            _problem(problems, where, "字段应为文本 / the field must be a string")
            continue
        if target not in TARGETS_BY_KEY and not re.match(r"^data\.[a-z][a-z0-9_]{0,62}$", target):
            _problem(problems, where, f"未知字段 {target[:64]} / unknown field")
            continue
        if target in used:
            _problem(problems, where, f"与列 {used[target][:64]} 映射到同一字段 / same field as another column")
            continue
        if headers is not None and header not in headers:
            _problem(problems, where, "文件中没有此列 / the file has no such column")
            continue
        used[target] = str(header)
        columns[str(header)] = target
    value_maps: dict[str, dict[str, str]] = {}
    raw_maps = raw.get("value_maps") or {}
    if not isinstance(raw_maps, dict):
        _problem(problems, "value_maps", "应为 字段→{旧值: 新值} 的对象 / an object of field → {old: new} expected")
        raw_maps = {}
    for target, table in raw_maps.items():
        if target not in MAPPABLE_VALUES:
            _problem(problems, f"value_maps.{str(target)[:64]}", "此字段不支持值映射 / no value map for this field")
        elif not isinstance(table, dict) or not all(isinstance(v, str | int) and not isinstance(v, bool)
                                                    for v in table.values()):
            _problem(problems, f"value_maps.{target}", "应为 旧值→新值 的对象 / an object of old → new values expected")
        else:
            value_maps[target] = {str(k).strip(): str(v).strip() for k, v in table.items()}
    unmapped: dict[str, str] = {}
    raw_unmapped = raw.get("unmapped") or {}
    if not isinstance(raw_unmapped, dict):
        _problem(problems, "unmapped", "应为对象 / an object expected")
        raw_unmapped = {}
    for target, how in raw_unmapped.items():
        if not isinstance(how, str) or how not in ("error", "default", "empty"):
            _problem(problems, f"unmapped.{str(target)[:64]}", "应为 error、default 或 empty / error, default or empty")
        else:
            unmapped[str(target)] = how
    defaults = raw.get("defaults") or {}
    if not isinstance(defaults, dict):
        _problem(problems, "defaults", "应为对象 / an object expected")
        defaults = {}
    for target, value in defaults.items():
        if target not in DEFAULTABLE and target != "external_id" and not str(target).startswith("data."):
            _problem(problems, f"defaults.{str(target)[:64]}", "此字段不能设默认值 / no default for this field")
        elif not str(target).startswith("data.") and not isinstance(value, str | int | float):
            _problem(problems, f"defaults.{str(target)[:64]}", "默认值应为文本或数字 / a text or number expected")
    product_code = raw.get("product_code") or {}
    if not isinstance(product_code, dict) or not isinstance(product_code.get("remove", ""), str) \
            or not isinstance(product_code.get("upper", True), bool):
        _problem(problems, "product_code", '应为 {"remove": "- _/.", "upper": true} / {"remove": str, "upper": bool}')
        product_code = {}
    date_formats = raw.get("date_formats") or []
    if not isinstance(date_formats, list) or not all(isinstance(f, str) and "%" in f and len(f) <= 50
                                                     for f in date_formats):
        _problem(problems, "date_formats", "应为 strftime 格式列表，如 %d.%m.%Y / a list of strftime formats")
        date_formats = []
    match = raw.get("customer_match", ["external_id", "phone", "email"]) or []
    if not isinstance(match, list) or any(not isinstance(m, str) or m not in ("external_id", "phone", "email")
                                          for m in match):
        _problem(problems, "customer_match", "可选 external_id、phone、email / external_id, phone, email")
        match = []
    system = raw.get("customer_system") or ExternalSystem.OTHER.value
    if not isinstance(system, str) or system not in ExternalSystem.values:
        _problem(problems, "customer_system", f"可选 / one of {ExternalSystem.values}")
        system = ExternalSystem.OTHER.value
    batch_size = raw.get("batch_size", 2000)
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or not 1 <= batch_size <= MAX_BATCH:
        _problem(problems, "batch_size", f"1..{MAX_BATCH}")
        batch_size = 2000
    header_row = raw.get("header_row")
    if header_row is not None and (not isinstance(header_row, int) or isinstance(header_row, bool)
                                   or not 1 <= header_row <= 30):
        _problem(problems, "header_row", "1..30")
        header_row = None
    sheet = raw.get("sheet")
    if sheet is not None and (isinstance(sheet, bool) or not isinstance(sheet, str | int) or len(str(sheet)) > 100):
        _problem(problems, "sheet", "工作表名称或序号 / a sheet name or index")
        sheet = None
    form = raw.get("form")
    if form is not None and (not isinstance(form, str) or len(form) > 64):
        _problem(problems, "form", "表单标识 / a form key")
        form = None
    for flag in ("create_customers", "create_categories"):
        if flag in raw and not isinstance(raw[flag], bool):
            _problem(problems, flag, "true / false")
    if "subject" not in columns.values() and "description" not in columns.values() and "subject" not in defaults:
        _problem(problems, "columns", "需要映射主题或描述列 / map a subject or description column")
    if problems:
        raise InvalidInput("导入映射无效 / The import mapping is invalid", code="invalid_mapping", details=problems)
    return Mapping(
        columns=columns, value_maps=value_maps, unmapped=unmapped, defaults=dict(defaults),
        product_remove=str(product_code.get("remove", "- _/.")) if isinstance(product_code, dict) else "- _/.",
        product_upper=bool(product_code.get("upper", True)) if isinstance(product_code, dict) else True,
        date_formats=list(date_formats), customer_match=list(match), customer_system=str(system),
        create_customers=bool(raw.get("create_customers", True)),
        create_categories=bool(raw.get("create_categories", False)),
        form=form or None, sheet=sheet, header_row=header_row, batch_size=batch_size,
    )


def load_mapping_file(text: str, name: str) -> Any:
    """Parse a mapping file: JSON or YAML (JSON is valid YAML too; tried first because it is faster)."""
    import yaml

    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"映射文件格式错误 / Malformed mapping file: {exc}", code="invalid_mapping",
                           details={"mapping": name}) from exc
