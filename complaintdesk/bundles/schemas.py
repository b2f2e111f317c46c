"""API schemas of configuration bundles (names prefixed ``Bundle``: OpenAPI names are global)."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class BundleProblemOut(Schema):
    file: str
    path: str
    message: str


class BundleChangeOut(Schema):
    key: str
    fields: dict[str, Any]


class BundleKindPlanOut(Schema):
    kind: str
    label: str
    added: list[str]
    changed: list[BundleChangeOut]
    unchanged: list[str]
    removed: list[str]
    prunable: bool
    prune_note: str


class BundleImportOut(Schema):
    dry_run: bool
    prune: bool
    applied: bool
    ok: bool
    template: str | None
    counts: dict[str, int]
    kinds: list[BundleKindPlanOut]
    problems: list[BundleProblemOut]


class BundleTemplateOut(Schema):
    name: str
    title: str
    title_en: str
    description: str
    description_en: str
    kinds: list[str]
