"""Report endpoints. For now the live dashboard's overview (``GET /dashboard/overview``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from complaintdesk.accounts.models import User
from complaintdesk.core.schemas import ERRORS
from complaintdesk.reports import queries
from complaintdesk.reports.schemas import DashboardOverviewOut, DashboardParams

router = Router(tags=["reports"])


@router.get("/dashboard/overview", response={200: DashboardOverviewOut, **ERRORS},
            summary="看板概览 / Dashboard overview")
def dashboard_overview(request: HttpRequest, params: Query[DashboardParams]) -> Any:
    """Live figures in the caller's data scope (the tickets they could list): open, new today
    (local business day), overdue, SLA compliance, first response and resolution times (median,
    mean), CSAT from follow-up calls, and breakdowns by channel, category and day over the last
    ``days`` local days. Needs ``ticket.view``."""
    assert isinstance(request.user, User)
    overview = queries.dashboard_overview(viewer=request.user, days=params.days,
                                          department_id=params.department_id, team_id=params.team_id)
    out = {**overview.__dict__}
    for key in ("first_response_sla", "resolution_sla"):
        sla = getattr(overview, key)
        out[key] = {"met": sla.met, "breached": sla.breached, "rate": sla.rate}
    out["csat"] = (None if overview.csat is None else
                   {"responses": overview.csat.responses, "satisfied": overview.csat.satisfied,
                    "rate": overview.csat.rate})
    return out
