"""The registry of rule action types. The rules engine owns the built-in ones (set fields, assign,
tag, note ...); other apps register theirs in their ``AppConfig.ready()`` — SLA ("apply_sla"), the
workflow engine ("start_process"), notifications ("notify", "reply_customer", "call_webhook"),
improvement ("create_improvement") — so the rules engine never imports their internals.

An action type has three parts:
- ``validate(params) -> list[str]``: every problem with the parameters, bilingual; empty when valid.
  Called when a rule is saved, so a rule that cannot run is refused at the API.
- ``describe(ticket, params) -> str``: what the action would do to this ticket, without doing it
  (the dry run and the run log use it).
- ``run(ctx, params) -> dict``: do it, through the owning app's ``do_*`` actions, inside the rule
  run's transaction; the returned dict is stored in the run log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from complaintdesk.core.events import DomainEvent
    from complaintdesk.tickets.models import Ticket


@dataclass
class ActionContext:
    """What an action handler gets besides its parameters."""

    ticket: Ticket
    event: DomainEvent
    rule_id: int
    rule_version: int
    depth: int  # 0 for a change made by a person or channel; +1 for each rule-made change in the chain


Validate = Callable[[dict[str, Any]], list[str]]
Describe = Callable[["Ticket", dict[str, Any]], str]
Run = Callable[[ActionContext, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class ActionType:
    type: str
    label: str
    label_en: str
    validate: Validate
    describe: Describe
    run: Run
    # What the rule editor shows for the parameters: a list of ``param(...)`` dicts (see ``param``).
    # Optional: a type without it is edited as JSON. ``validate`` stays the authority.
    params: tuple[dict[str, Any], ...] = ()


PARAM_KINDS = ("text", "textarea", "number", "bool", "choice", "user", "users", "roles", "team", "department",
               "category", "priority", "tags", "template", "process", "sla_policy", "fields", "json")


def param(name: str, kind: str, *, label: str, label_en: str, required: bool = False,
          choices: list[tuple[str, str, str]] | None = None, show_if: dict[str, list[Any]] | None = None,
          help: str = "", help_en: str = "", minimum: int | None = None, maximum: int | None = None,
          default: Any = None) -> dict[str, Any]:
    """One parameter as the rule editor's generated form shows it.

    ``kind`` is one of ``PARAM_KINDS``: plain inputs (text, textarea, number, bool, choice with
    ``choices`` as ``(value, label, label_en)``), pickers that store a reference by name/key (user →
    username, team → name, department → name, category → key, priority → P1-P4, template → key, process →
    key, sla_policy → name), lists (users → user ids, roles → role keys, tags → text), fields (an object of
    field: value) or json. ``show_if`` shows the parameter only
    while other parameters have one of the given values (``{"to": ["team"]}``); a hidden parameter is
    not sent."""
    assert kind in PARAM_KINDS, kind
    return {
        "name": name, "kind": kind, "label": label, "label_en": label_en, "required": required,
        "choices": [{"value": v, "label": zh, "label_en": en} for v, zh, en in (choices or [])],
        "show_if": show_if or {}, "help": help, "help_en": help_en, "minimum": minimum, "maximum": maximum,
        "default": default,
    }


ACTION_TYPES: dict[str, ActionType] = {}


def register_action(
    type_: str, *, label: str, label_en: str, validate: Validate, describe: Describe, run: Run,
    params: list[dict[str, Any]] | None = None,
) -> ActionType:
    """Register (or, on a re-import, replace) the rule action type ``type_``; ``params`` describes
    its parameters for the rule editor (``param(...)`` each)."""
    action = ActionType(type_, label, label_en, validate, describe, run, tuple(params or ()))
    ACTION_TYPES[type_] = action
    return action


def get_action_type(type_: str) -> ActionType | None:
    return ACTION_TYPES.get(type_)
