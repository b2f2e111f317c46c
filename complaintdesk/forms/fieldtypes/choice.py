"""Choices: dropdown, radio, multi-select, checkboxes, cascade select (an option tree), tags.

Options are ``[{"value": "refund", "label": {"zh-CN": "退款", "en": "Refund"}, "children": [...]}]``;
only the cascade select uses ``children``. A value is stored, never a label: relabelling an option
does not change tickets.
"""

from __future__ import annotations

from typing import Any, ClassVar

from complaintdesk.forms.fieldtypes.base import (
    ChoiceOption,
    ConfigOption,
    FieldDef,
    FieldType,
    FieldValueError,
    ProblemSink,
    ValueContext,
    check_text,
)

MAX_OPTIONS = 1000
MAX_TREE_NODES = 20000
MAX_TREE_DEPTH = 6


def check_count_bounds(f: FieldDef, add: ProblemSink, *, hard_max: int) -> None:
    for name in ("min_length", "max_length"):
        value = getattr(f, name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= hard_max):
            add(name, "invalid_property", f"{name} 须为 0–{hard_max} 的整数 / {name} must be an integer 0..{hard_max}")
    if isinstance(f.min_length, int) and isinstance(f.max_length, int) and f.min_length > f.max_length:
        add("min_length", "invalid_property", "min_length 大于 max_length / min_length exceeds max_length")


def check_counts(items: list[Any], f: FieldDef, *, default_max: int) -> None:
    if items and isinstance(f.min_length, int) and len(items) < f.min_length:
        raise FieldValueError("too_few_items", min=f.min_length)
    top = f.max_length if isinstance(f.max_length, int) else default_max
    if len(items) > top:
        raise FieldValueError("too_many_items", max=top)


def _choice_text(value: Any) -> str:
    if isinstance(value, bool):
        raise FieldValueError("invalid_choice", value=str(value).lower())
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        raise FieldValueError("invalid_type", expected="string")
    return value.strip()


def _short(value: str) -> str:
    return value if len(value) <= 40 else value[:40] + "…"


def check_flat_options(f: FieldDef, add: ProblemSink, *, required: bool = True) -> None:
    options = f.options or []
    if required and not options:
        add("options", "invalid_options", "至少需要一个选项 / at least one option is required")
    if len(options) > MAX_OPTIONS:
        add("options", "invalid_options", f"选项不能超过 {MAX_OPTIONS} 个 / at most {MAX_OPTIONS} options")
    seen: set[str] = set()
    for i, option in enumerate(options):
        if option.value in seen:
            add(f"options[{i}].value", "duplicate_option", f"选项值重复 / duplicate option value {option.value!r}")
        seen.add(option.value)
        if option.children:
            add(f"options[{i}].children", "invalid_options", "只有级联选择可以有子选项 / "
                                                             "only cascade options have children")


class DropdownType(FieldType):
    name = "dropdown"
    family = "choice"
    label = {"zh-CN": "下拉选择", "en": "Dropdown"}
    properties = frozenset({"options"})

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        check_flat_options(f, add)

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if value is None or value == "":
            return None
        text = _choice_text(value)
        if text not in f.option_values():
            raise FieldValueError("invalid_choice", value=_short(text))
        return text

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "string", "enum": f.option_values()}


class RadioType(DropdownType):
    name = "radio"
    label = {"zh-CN": "单选", "en": "Radio buttons"}
    config_options = (
        ConfigOption("layout", "enum", {"zh-CN": "排列", "en": "Arrangement"}, "horizontal",
                     ("horizontal", "vertical")),
    )


class MultiSelectType(FieldType):
    name = "multi_select"
    family = "choice"
    label = {"zh-CN": "下拉多选", "en": "Multi-select"}
    properties = frozenset({"options", "min_length", "max_length"})

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        check_flat_options(f, add)
        check_count_bounds(f, add, hard_max=MAX_OPTIONS)

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if value is None or value == "" or value == []:
            return None
        if isinstance(value, str | int) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list):
            raise FieldValueError("invalid_type", expected="list")
        allowed = f.option_values()
        chosen: set[str] = set()
        for item in value[: MAX_OPTIONS + 1]:
            text = _choice_text(item)
            if text not in allowed:
                raise FieldValueError("invalid_choice", value=_short(text))
            if text in chosen:
                raise FieldValueError("duplicate_item", value=_short(text))
            chosen.add(text)
        check_counts(list(chosen), f, default_max=len(allowed))
        # Option order, so that equal choices store equal lists.
        return [v for v in allowed if v in chosen]

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "array", "items": {"enum": f.option_values()}, "uniqueItems": True}
        if f.min_length:
            schema["minItems"] = f.min_length
        if f.max_length is not None:
            schema["maxItems"] = f.max_length
        return schema


class CheckboxesType(MultiSelectType):
    name = "checkboxes"
    label = {"zh-CN": "多选框", "en": "Checkboxes"}
    config_options = RadioType.config_options


def _tree_nodes(options: list[ChoiceOption]) -> int:
    return sum(1 + _tree_nodes(o.children) for o in options)


class CascadeType(FieldType):
    """A tree of options (产品线 → 型号 → 故障); the value is the path of values from the root."""

    name = "cascade"
    family = "choice"
    label = {"zh-CN": "级联选择", "en": "Cascade select"}
    properties = frozenset({"options"})
    config_options = (
        ConfigOption("leaf_only", "boolean", {"zh-CN": "必须选到最后一级", "en": "Choose down to a leaf"}, True),
    )

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        if not f.options:
            add("options", "invalid_options", "至少需要一个选项 / at least one option is required")
        if _tree_nodes(f.options or []) > MAX_TREE_NODES:
            add("options", "invalid_options", f"选项树最多 {MAX_TREE_NODES} 个节点 / at most {MAX_TREE_NODES} nodes")
            return
        if not isinstance(self.config_value(f, "leaf_only"), bool):
            add("config.leaf_only", "invalid_config", "leaf_only 须为布尔值 / leaf_only must be a boolean")

        def walk(options: list[ChoiceOption], path: str, depth: int) -> None:
            if depth > MAX_TREE_DEPTH:
                add(path, "invalid_options", f"选项树最多 {MAX_TREE_DEPTH} 级 / at most {MAX_TREE_DEPTH} levels")
                return
            seen: set[str] = set()
            for i, option in enumerate(options):
                if option.value in seen:
                    add(f"{path}[{i}].value", "duplicate_option",
                        f"同级选项值重复 / duplicate option value {option.value!r} among siblings")
                seen.add(option.value)
                walk(option.children, f"{path}[{i}].children", depth + 1)

        walk(f.options or [], "options", 1)

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if value is None or value == "" or value == []:
            return None
        if not isinstance(value, list) or len(value) > MAX_TREE_DEPTH:
            raise FieldValueError("invalid_path")
        level = f.options or []
        path: list[str] = []
        for item in value:
            text = _choice_text(item)
            node = next((o for o in level if o.value == text), None)
            if node is None:
                raise FieldValueError("invalid_path")
            path.append(text)
            level = node.children
        if level and self.config_value(f, "leaf_only") is not False:
            raise FieldValueError("path_not_leaf")
        return path

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": MAX_TREE_DEPTH,
                "description": "The path of option values from the root of the option tree"}


class TagsType(FieldType):
    name = "tags"
    family = "choice"
    label = {"zh-CN": "标签", "en": "Tags"}
    properties = frozenset({"options", "min_length", "max_length"})
    config_options = (
        ConfigOption("free", "boolean", {"zh-CN": "允许输入新标签", "en": "Allow new tags"}, True),
        ConfigOption("tag_max_length", "integer", {"zh-CN": "单个标签最长", "en": "Longest tag"}, 50),
    )
    default_max: ClassVar[int] = 20

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        check_flat_options(f, add, required=self.config_value(f, "free") is False)
        check_count_bounds(f, add, hard_max=100)
        if not isinstance(self.config_value(f, "free"), bool):
            add("config.free", "invalid_config", "free 须为布尔值 / free must be a boolean")
        top = self.config_value(f, "tag_max_length")
        if not isinstance(top, int) or isinstance(top, bool) or not 1 <= top <= 100:
            add("config.tag_max_length", "invalid_config", "tag_max_length 须为 1–100 / tag_max_length must be 1..100")

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if value is None or value == "" or value == []:
            return None
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise FieldValueError("invalid_type", expected="list")
        top = self.config_value(f, "tag_max_length")
        top = top if isinstance(top, int) else 50
        free = self.config_value(f, "free") is not False
        allowed = set(f.option_values())
        tags: list[str] = []
        for item in value[:101]:
            text = check_text(item, multiline=False)
            if not text or len(text) > top:
                raise FieldValueError("invalid_tag", max=top)
            if not free and text not in allowed:
                raise FieldValueError("invalid_choice", value=_short(text))
            if text not in tags:
                tags.append(text)
        check_counts(tags, f, default_max=self.default_max)
        return tags

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        top = self.config_value(f, "tag_max_length")
        items: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": top}
        if self.config_value(f, "free") is False:
            items["enum"] = f.option_values()
        return {"type": "array", "items": items, "uniqueItems": True, "maxItems": f.max_length or self.default_max}


TYPES: tuple[type[FieldType], ...] = (DropdownType, RadioType, MultiSelectType, CheckboxesType, CascadeType,
                                      TagsType)
