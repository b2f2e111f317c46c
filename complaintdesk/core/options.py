"""Runtime options that administrators change without a restart.

Each option is declared once here with its type, default and description; stored values live
in the ``Option`` table. Reads are cached per process for a few seconds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction

from complaintdesk.core import clock
from complaintdesk.core.errors import InvalidInput, NotFound
from complaintdesk.core.models import AuditLog, Option

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User


@dataclass(frozen=True)
class OptionSpec:
    key: str
    type: type
    default: Any
    description: str
    minimum: int | None = None
    maximum: int | None = None


SPECS: dict[str, OptionSpec] = {}


def declare(spec: OptionSpec) -> OptionSpec:
    SPECS[spec.key] = spec
    return spec


TICKET_NUMBER_PATTERN = declare(
    OptionSpec(
        "tickets.number_pattern",
        str,
        "TS{yyyyMMdd}{seq:4}",
        "Ticket number pattern. Tokens: {yyyy} {yy} {MM} {dd} {yyyyMMdd} {yyMMdd} and {seq:N} "
        "(counter padded to N digits; it restarts whenever the text before it changes).",
    )
)
REPEAT_WINDOW_DAYS = declare(
    OptionSpec(
        "tickets.repeat_window_days",
        int,
        30,
        "A complaint from the same customer in the same category within this many days is a repeat.",
        minimum=0,
        # Ten years: a larger window cannot be meant, and a huge one overflows date arithmetic.
        maximum=3650,
    )
)

_CACHE_SECONDS = 5.0
_cache: dict[str, tuple[float, Any]] = {}


def get_option(key: str) -> Any:
    spec = SPECS.get(key)
    if spec is None:
        raise NotFound(f"unknown option {key!r}")
    hit = _cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < _CACHE_SECONDS:
        return hit[1]
    row = Option.objects.filter(key=key).first()
    value = spec.default if row is None else row.value
    _cache[key] = (time.monotonic(), value)
    return value


def clear_cache() -> None:
    _cache.clear()


def check_option_value(key: str, value: Any) -> Any:
    spec = SPECS.get(key)
    if spec is None:
        raise NotFound(f"unknown option {key!r}")
    if spec.type is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise InvalidInput(f"{key} must be an integer", details={"value": "integer expected"})
    if spec.type is str and not isinstance(value, str):
        raise InvalidInput(f"{key} must be a string", details={"value": "string expected"})
    if spec.minimum is not None and value < spec.minimum:
        raise InvalidInput(f"{key} must be at least {spec.minimum}", details={"value": "too small"})
    if spec.maximum is not None and value > spec.maximum:
        raise InvalidInput(f"{key} must be at most {spec.maximum}", details={"value": "too large"})
    if key == TICKET_NUMBER_PATTERN.key:
        from complaintdesk.tickets.numbering import check_pattern

        check_pattern(value)
    return value


def do_set_option(key: str, value: Any, *, actor: User | None) -> None:
    check_option_value(key, value)
    with transaction.atomic():
        old = Option.objects.filter(key=key).values_list("value", flat=True).first()
        Option.objects.update_or_create(
            key=key, defaults={"value": value, "updated_at": clock.now(), "updated_by": actor}
        )
        AuditLog.objects.create(
            actor=actor, action="option.set", object_type="option", object_id=key,
            data={"old": old, "new": value},
        )
    _cache.pop(key, None)
