"""Ticket numbers from a configurable pattern, e.g. ``TS{yyyyMMdd}{seq:4}`` → TS202611220001.

The counter key is the pattern rendered with everything except the sequence, so a daily
pattern restarts every day and a monthly one every month. The number is taken inside the
ticket's transaction (``core.sequences``): gap-free, also under concurrency. When a day has
more tickets than the padding allows, the number simply grows a digit.
"""

from __future__ import annotations

import re
from datetime import datetime

from complaintdesk.core.errors import InvalidInput
from complaintdesk.core.sequences import next_value

_TOKEN = re.compile(r"\{([A-Za-z]+)(?::(\d+))?\}")
_DATE_TOKENS = {
    "yyyy": "%Y", "yy": "%y", "MM": "%m", "dd": "%d", "yyyyMMdd": "%Y%m%d", "yyMMdd": "%y%m%d",
    "yyyyMM": "%Y%m",
}
_LITERAL = re.compile(r"^[A-Za-z0-9_\-]*$")


def check_pattern(pattern: str) -> None:
    problems: list[str] = []
    seq_count = 0
    for match in _TOKEN.finditer(pattern):
        name, width = match.group(1), match.group(2)
        if name == "seq":
            seq_count += 1
            if width is None or not 1 <= int(width) <= 12:
                problems.append("{seq:N} needs a width N between 1 and 12")
        elif name not in _DATE_TOKENS:
            problems.append(f"unknown token {{{name}}}")
    if seq_count != 1:
        problems.append("the pattern needs exactly one {seq:N}")
    literal = _TOKEN.sub("", pattern)
    if not _LITERAL.match(literal):
        problems.append("only letters, digits, '-' and '_' may appear outside tokens")
    if len(pattern) > 40:
        problems.append("pattern too long")
    if problems:
        raise InvalidInput("工单编号规则无效 / Invalid number pattern", details={"pattern": problems})


def _render(pattern: str, at: datetime, seq: int | None) -> str:
    def token(match: re.Match[str]) -> str:
        name, width = match.group(1), match.group(2)
        if name == "seq":
            return "{seq}" if seq is None else str(seq).zfill(int(width or 1))
        return at.strftime(_DATE_TOKENS[name])

    return _TOKEN.sub(token, pattern)


def next_ticket_number(pattern: str, at_local: datetime) -> str:
    """Take the next number for the local date ``at_local``; call inside the ticket transaction."""
    key = "ticket:" + _render(pattern, at_local, None)
    return _render(pattern, at_local, next_value(key))


def next_ticket_numbers(pattern: str, at_local: datetime, count: int) -> list[str]:
    """Take ``count`` consecutive numbers for the local date ``at_local`` in one statement (bulk
    imports); call inside the tickets' transaction."""
    from complaintdesk.core.sequences import reserve_values

    key = "ticket:" + _render(pattern, at_local, None)
    return [_render(pattern, at_local, seq) for seq in reserve_values(key, count)]
