"""What changed between two versions of a form: fields added, removed and changed (with the
changed properties), and whether the layout or settings changed. Works on raw schema JSON, so a
draft that does not yet validate can still be compared."""

from __future__ import annotations

from typing import Any


def _fields(schema: Any) -> dict[str, dict[str, Any]]:
    """Every field by key (sub-table columns too, with ``parent``); junk entries are skipped."""
    out: dict[str, dict[str, Any]] = {}
    fields = schema.get("fields") if isinstance(schema, dict) else None
    for raw in fields if isinstance(fields, list) else []:
        if not isinstance(raw, dict) or not isinstance(raw.get("key"), str):
            continue
        out.setdefault(raw["key"], {"parent": None, "def": raw})
        config = raw.get("config")
        columns = config.get("columns") if isinstance(config, dict) else None
        for column in columns if isinstance(columns, list) else []:
            if isinstance(column, dict) and isinstance(column.get("key"), str):
                out.setdefault(column["key"], {"parent": raw["key"], "def": column})
    return out


def _flatten(definition: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in definition.items():
        if name == "config" and isinstance(value, dict):
            for option, setting in value.items():
                if option != "columns":  # columns are compared as fields of their own
                    flat[f"config.{option}"] = setting
        else:
            flat[name] = value
    return flat


def _summary(key: str, entry: dict[str, Any]) -> dict[str, Any]:
    definition = entry["def"]
    return {"key": key, "type": definition.get("type"), "label": definition.get("label"), "parent": entry["parent"]}


def diff_schemas(old: Any, new: Any) -> dict[str, Any]:
    before, after = _fields(old), _fields(new)
    added = [_summary(k, after[k]) for k in after if k not in before]
    removed = [_summary(k, before[k]) for k in before if k not in after]
    changed: list[dict[str, Any]] = []
    for key in after:
        if key not in before:
            continue
        a, b = _flatten(before[key]["def"]), _flatten(after[key]["def"])
        changes = {name: {"old": a.get(name), "new": b.get(name)} for name in sorted(set(a) | set(b))
                   if a.get(name) != b.get(name)}
        if before[key]["parent"] != after[key]["parent"]:
            changes["parent"] = {"old": before[key]["parent"], "new": after[key]["parent"]}
        if changes:
            changed.append({"key": key, "type": after[key]["def"].get("type"), "changes": changes})

    def part(schema: Any, name: str) -> Any:
        return schema.get(name) if isinstance(schema, dict) else None

    return {
        "added": added, "removed": removed, "changed": changed,
        "layout_changed": part(old, "layout") != part(new, "layout"),
        "settings_changed": (part(old, "settings") or {}) != (part(new, "settings") or {}),
    }
