"""Runtime options of the SLA app (declared once; stored in the Option table, see core/options.py)."""

from __future__ import annotations

from complaintdesk.core.options import OptionSpec, declare

REOPEN_WINDOW_DAYS = declare(
    OptionSpec(
        "sla.reopen_window_days",
        int,
        7,
        "A resolved or closed ticket reopened within this many days resumes its old SLA clock; later, "
        "a reopen opens a new ticket linked to the old one.",
        minimum=0,
        maximum=3650,
    )
)
