"""Reads of the SLA configuration. Calendars and policies are visible to everyone who may view tickets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import check_perm
from complaintdesk.core.errors import NotFound
from complaintdesk.sla.models import BusinessCalendar, CalendarDay, SlaPolicy, SlaPolicyVersion

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User


def check_view_sla(viewer: User) -> None:
    check_perm(viewer, P.TICKET_VIEW)


def list_calendars(*, viewer: User) -> QuerySet[BusinessCalendar]:
    check_view_sla(viewer)
    return BusinessCalendar.objects.prefetch_related("years").order_by("id")


def get_calendar(*, viewer: User, calendar_id: int) -> BusinessCalendar:
    check_view_sla(viewer)
    calendar = BusinessCalendar.objects.prefetch_related("years").filter(pk=calendar_id).first()
    if calendar is None:
        raise NotFound("日历不存在 / calendar not found")
    return calendar


def list_days(*, viewer: User, calendar: BusinessCalendar, year: int) -> QuerySet[CalendarDay]:
    check_view_sla(viewer)
    return CalendarDay.objects.filter(calendar=calendar, date__year=year).order_by("date")


def list_policies(*, viewer: User) -> QuerySet[SlaPolicy]:
    check_view_sla(viewer)
    return SlaPolicy.objects.order_by("order", "id")


def get_policy(*, viewer: User, policy_id: int) -> SlaPolicy:
    check_view_sla(viewer)
    policy = SlaPolicy.objects.filter(pk=policy_id).first()
    if policy is None:
        raise NotFound("SLA 策略不存在 / SLA policy not found")
    return policy


def list_policy_versions(*, viewer: User, policy: SlaPolicy) -> QuerySet[SlaPolicyVersion]:
    check_view_sla(viewer)
    return SlaPolicyVersion.objects.filter(policy=policy).order_by("-version")
