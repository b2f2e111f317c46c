"""The demo generator and the ``complaintdesk demo`` command: what a person exploring the demo
relies on — the people and their roles, plausible tickets with consistent histories, and the
printed logins."""

from __future__ import annotations

import re
import stat
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Min
from django.utils import timezone

from complaintdesk.accounts.models import Department, User
from complaintdesk.core import clock
from complaintdesk.customers.models import Customer, CustomerExternalId, Product
from complaintdesk.demo import catalog, generate_demo, plan_demo
from complaintdesk.demo.generator import credentials_path, working_time
from complaintdesk.tickets.choices import OPEN_STATUSES, Channel, EventType, LinkKind, TicketStatus
from complaintdesk.tickets.models import Comment, Ticket, TicketEvent, TicketLink

NUMBER = re.compile(r"^TS(\d{8})(\d{4})$")


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def demo(db, data_dir):
    started = timezone.now()
    result = generate_demo(tickets=150, customers=60, seed=7)
    return result, started


def _admin_password(text: str) -> str:
    match = re.search(r"^admin login: admin / (\S+)$", text, re.M)
    assert match, text
    return match.group(1)


def test_demo_people_cover_every_role_and_department(demo, data_dir):
    result, _ = demo
    for key in ("admin", "supervisor", "agent", "handler", "quality", "auditor"):
        assert User.objects.filter(roles__key=key, is_active=True).exists(), key
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.roles.filter(key="admin").exists()
    assert 18 <= User.objects.count() <= 25
    assert User.objects.filter(roles__key="agent").count() == 8
    names = set(Department.objects.values_list("name", flat=True))
    assert {"客服部", "售后部", "技术部", "质量部", "物流部", "销售部"} <= names
    for code in ("after_sales", "tech", "logistics", "quality", "service"):
        dept = Department.objects.get(code=code)
        assert dept.manager is not None and dept.manager.department_id == dept.pk
    # Chinese display names from our own lists, user names from their pinyin.
    staff = User.objects.exclude(username="admin")
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,4}", u.display_name) for u in staff)
    assert all(re.fullmatch(r"[a-z]+\d*", u.username) for u in staff)
    # Every printed login works.
    password = _admin_password(result.credentials)
    assert admin.check_password(password)
    shared_match = re.search(r"password for all: (\S+)\)", result.credentials)
    assert shared_match
    shared = shared_match.group(1)
    for user in staff:
        assert user.username in result.credentials
        assert user.check_password(shared)
    # ... and is kept where only the owner can read it.
    path = credentials_path()
    assert path.parent == data_dir
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == result.credentials


def test_demo_tickets_have_consistent_numbers_and_timelines(demo):
    result, started = demo
    assert result.tickets == Ticket.objects.count() == 150
    tickets = list(Ticket.objects.order_by("created_at", "id"))
    numbers = [t.number for t in tickets]
    assert len(set(numbers)) == len(numbers)
    per_day: dict[str, list[int]] = {}
    for t in tickets:
        match = NUMBER.match(t.number)
        assert match, t.number
        assert match.group(1) == timezone.localtime(t.created_at).strftime("%Y%m%d")
        per_day.setdefault(match.group(1), []).append(int(match.group(2)))
    # Tickets were created in time order, so each day's sequence counts up from 1 with the clock.
    for seqs in per_day.values():
        assert seqs == list(range(1, len(seqs) + 1))

    created_events = set(TicketEvent.objects.filter(type=EventType.CREATED).values_list("ticket_id", flat=True))
    assert created_events == {t.pk for t in tickets}
    first_event = dict(TicketEvent.objects.values("ticket_id").annotate(m=Min("created_at")).values_list(
        "ticket_id", "m"))
    late = timezone.now()
    for t in tickets:
        assert first_event[t.pk] == t.created_at
        assert t.updated_at >= t.created_at
        assert t.created_at <= started
    assert not TicketEvent.objects.filter(created_at__gt=late).exists()
    assert not Comment.objects.filter(created_at__gt=late).exists()
    # The clock is back on the wall.
    assert abs((clock.now() - timezone.now()).total_seconds()) < 5


def test_demo_lifecycle_is_plausible(demo):
    tickets = list(Ticket.objects.select_related("assignee__department", "category"))
    statuses = Counter(t.status for t in tickets)
    assert statuses[TicketStatus.CLOSED] > len(tickets) / 2  # a year of history is mostly closed
    assert any(statuses[s] for s in OPEN_STATUSES)
    for t in tickets:
        if t.status == TicketStatus.CLOSED:
            assert t.closed_at is not None and t.closed_at > t.created_at
            if t.merged_into_id is None:
                assert t.resolved_at is not None and t.created_at < t.resolved_at <= t.closed_at
        if t.status == TicketStatus.RESOLVED:
            assert t.resolved_at is not None and t.resolved_at > t.created_at and t.closed_at is None
        if t.accepted_at is not None:
            assert t.accepted_at > t.created_at
    # The first public reply is the first response; internal notes do not count.
    first_public = dict(Comment.objects.filter(is_public=True).values("ticket_id").annotate(
        m=Min("created_at")).values_list("ticket_id", "m"))
    assert first_public
    for t in tickets:
        assert t.first_response_at == first_public.get(t.pk)
    assert Comment.objects.filter(is_public=False).exists()
    # Dispatched tickets sit with a handler of the department that handles their category.
    handled = [t for t in tickets if t.assignee and t.assignee.roles.filter(key="handler").exists()]
    assert handled
    for t in handled:
        assert t.assignee is not None and t.assignee.department is not None and t.category is not None
        assert t.department_id == t.assignee.department_id
        assert t.assignee.department.code == catalog.ROUTING[t.category.key]
    # Repeat complaints are found by the intake itself, a few duplicates merged.
    assert Ticket.objects.filter(is_repeat=True).exists()
    assert TicketLink.objects.filter(kind=LinkKind.REPEAT_OF).exists()


def test_demo_spreads_over_a_year_of_channels_and_customers(demo):
    tickets = list(Ticket.objects.all())
    created = sorted(t.created_at for t in tickets)
    assert created[-1] - created[0] > timedelta(days=180)
    assert len({(timezone.localtime(c).year, timezone.localtime(c).month) for c in created}) >= 8
    assert len({t.channel for t in tickets}) == len(Channel.values)
    assert len({t.priority for t in tickets}) >= 3
    assert len({t.category_id for t in tickets}) >= 15
    assert Product.objects.count() >= 15 and Product.objects.values("line").distinct().count() == 5
    customers = list(Customer.objects.all())
    assert len(customers) == 60
    assert all(re.fullmatch(r"1[3-9]\d{9}", c.phone) for c in customers)
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,4}", c.name) for c in customers)
    assert any(c.email for c in customers) and any(c.region for c in customers)
    assert CustomerExternalId.objects.filter(system__in=["crm", "wechat_openid"]).exists()
    assert Counter(c.tier for c in customers).most_common(1)[0][0] == "normal"


def test_demo_fills_many_tickets_through_the_shipped_forms(demo):
    from complaintdesk.tickets.formdata import evaluate_for_ticket
    from complaintdesk.tickets.models import Attachment, Upload

    tickets = list(Ticket.objects.select_related("form_version__form", "category__parent"))
    with_form = [t for t in tickets if t.form_version_id is not None]
    assert 0.45 <= len(with_form) / len(tickets) <= 0.85
    keys = Counter(t.form_version.form.key for t in with_form)
    assert {"general", "product_quality", "logistics", "service_attitude"} <= set(keys), keys
    for ticket in with_form:
        # The stored values are what the pinned form accepts (re-evaluating them finds no error).
        evaluate_for_ticket(ticket.form_version, ticket.data, actor=None, trusted=True, submit=False,
                            exclude_ticket_id=ticket.pk)
        assert ticket.data["contact_phone"] == ticket.customer.phone
        if ticket.form_version.form.key == "product_quality":
            assert ticket.product_id is not None and ticket.data["product"] in (ticket.product_id,
                                                                                {"id": ticket.product_id})
            photo_ids = {ref["attachment_id"] for ref in ticket.data["photos"]}
            assert photo_ids and photo_ids <= set(Attachment.objects.filter(ticket=ticket).values_list("pk",
                                                                                                       flat=True))
    # Every photo uploaded for a form became an attachment.
    assert not Upload.objects.filter(consumed_by__isnull=True).exists()
    assert Upload.objects.exists()


def test_after_the_demo_new_complaints_start_their_process(demo, django_capture_on_commit_callbacks):
    """The demo switches on the shipped process rules: a complaint taken in the demo UI gets a process."""
    from complaintdesk.rules.models import Rule
    from complaintdesk.tickets.actions import do_create_ticket
    from complaintdesk.workflows.models import ProcessInstance, WorkItem

    process_rules = Rule.objects.filter(is_shipped=True, actions__0__type="start_process")
    assert process_rules.count() == 3 and all(rule.enabled for rule in process_rules)
    agent = User.objects.filter(roles__key="agent", is_active=True).order_by("pk").first()
    customer = Customer.objects.order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        ticket, _ = do_create_ticket(actor=agent, subject="服务态度差，电话多次无人接听", channel=Channel.PHONE,
                                     customer=customer, priority="P4")
    instance = ProcessInstance.objects.get(ticket=ticket)
    assert instance.version.definition.key == "standard_complaint"
    assert WorkItem.objects.filter(ticket=ticket, state__in=["ready", "claimed"]).exists()


def test_command_seeds_and_prints_working_logins(db, data_dir):
    out = StringIO()
    call_command("demo", "--tickets", "30", "--customers", "15", "--seed", "3", stdout=out)
    text = out.getvalue()
    assert Ticket.objects.count() == 30
    assert User.objects.get(username="admin").check_password(_admin_password(text))
    assert str(credentials_path()) in text


def test_if_empty_on_a_seeded_database_only_prints_the_stored_logins(db, data_dir):
    call_command("demo", "--tickets", "20", "--customers", "10", stdout=StringIO())
    counts = (Ticket.objects.count(), Customer.objects.count(), User.objects.count(), TicketEvent.objects.count())
    stored = credentials_path().read_text()
    out = StringIO()
    call_command("demo", "--if-empty", "--tickets", "5000", stdout=out)
    assert (Ticket.objects.count(), Customer.objects.count(), User.objects.count(),
            TicketEvent.objects.count()) == counts
    assert _admin_password(out.getvalue()) == _admin_password(stored)
    assert User.objects.get(username="admin").check_password(_admin_password(out.getvalue()))


def test_if_empty_on_an_empty_database_seeds(db, data_dir):
    out = StringIO()
    call_command("demo", "--if-empty", "--tickets", "10", "--customers", "5", stdout=out)
    assert Ticket.objects.count() == 10
    assert "admin login: admin / " in out.getvalue()


# --- the plan (no database) -----------------------------------------------------------------

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def test_plan_is_deterministic_for_a_seed():
    a = plan_demo(seed=11, tickets=300, customers=80, now=NOW)
    b = plan_demo(seed=11, tickets=300, customers=80, now=NOW)
    c = plan_demo(seed=12, tickets=300, customers=80, now=NOW)
    assert [(t.created_at, t.subject, t.customer) for t in a.tickets] == [
        (t.created_at, t.subject, t.customer) for t in b.tickets]
    assert [c.phone for c in a.customers] == [c.phone for c in b.customers]
    assert [t.subject for t in a.tickets] != [t.subject for t in c.tickets]


def test_plan_follows_the_calendar_and_has_spikes():
    plan = plan_demo(seed=1, tickets=5000, customers=1000, now=NOW)
    tickets = plan.tickets
    assert len(tickets) == 5000
    assert all(t.created_at <= NOW for t in tickets)
    assert tickets == sorted(tickets, key=lambda t: t.created_at)
    local = [timezone.localtime(t.created_at).date() for t in tickets]
    by_weekday = Counter(d.weekday() for d in local)
    assert min(by_weekday[0], by_weekday[1]) > 1.3 * max(by_weekday[5], by_weekday[6])

    def per_day(start: date, end: date) -> float:
        return sum(start <= d <= end for d in local) / ((end - start).days + 1)

    ordinary = per_day(date(2025, 8, 18), date(2025, 9, 28))  # before the screen-defect spike
    assert per_day(date(2025, 11, 8), date(2025, 11, 22)) > 1.5 * ordinary  # 双11
    assert per_day(date(2025, 6, 14), date(2025, 6, 26)) > 1.4 * ordinary  # 618
    assert per_day(date(2026, 2, 15), date(2026, 2, 24)) < 0.75 * ordinary  # 春节 2026-02-17
    # The screen batch defect: one product, mostly malfunctions, within its two weeks.
    spike = catalog.SPIKES[0]
    spiked = [t for t in tickets if t.spike == spike.key]
    assert len(spiked) == round(5000 * spike.share)
    assert {t.sku for t in spiked} == {spike.sku}
    assert Counter(t.category_key for t in spiked).most_common(1)[0][0] == "malfunction"
    start = timezone.localtime(NOW).date() - timedelta(days=spike.start_days_ago)
    assert all(start <= timezone.localtime(t.created_at).date() < start + timedelta(days=spike.days)
               for t in spiked)
    # Customers come back: follow-ups and cross-channel duplicates refer to earlier tickets.
    keys = {t.key: t for t in tickets}
    follow_ups = [t for t in tickets if t.follow_up_of is not None]
    duplicates = [t for t in tickets if t.duplicate_of is not None]
    assert len(follow_ups) > 100 and len(duplicates) > 20
    for t in follow_ups + duplicates:
        reference = t.follow_up_of if t.follow_up_of is not None else t.duplicate_of
        assert reference is not None
        original = keys[reference]
        assert original.created_at < t.created_at and original.customer == t.customer
    assert {t.channel for t in tickets} == set(Channel.values)


def test_working_time_moves_steps_into_office_hours():
    import random

    rng = random.Random(0)
    tz = timezone.get_current_timezone()
    saturday_night = datetime(2026, 3, 7, 23, 0, tzinfo=tz)
    moved = timezone.localtime(working_time(saturday_night, "office", rng))
    assert moved.weekday() == 0 and 9 <= moved.hour < 11
    desk = timezone.localtime(working_time(datetime(2026, 3, 7, 3, 0, tzinfo=tz), "desk", rng))
    assert desk.date() == date(2026, 3, 7) and (8, 30) <= (desk.hour, desk.minute) < (9, 31)
    inside = datetime(2026, 3, 9, 10, 0, tzinfo=tz)
    assert working_time(inside, "office", rng) == inside
