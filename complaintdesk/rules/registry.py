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


ACTION_TYPES: dict[str, ActionType] = {}


def register_action(
    type_: str, *, label: str, label_en: str, validate: Validate, describe: Describe, run: Run
) -> ActionType:
    """Register (or, on a re-import, replace) the rule action type ``type_``."""
    action = ActionType(type_, label, label_en, validate, describe, run)
    ACTION_TYPES[type_] = action
    return action


def get_action_type(type_: str) -> ActionType | None:
    return ACTION_TYPES.get(type_)
