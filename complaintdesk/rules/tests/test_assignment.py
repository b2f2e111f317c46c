"""Assignment strategies: round robin (also under concurrency), least loaded, by skill, the
customer's account owner, availability and working hours, never a deactivated user."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from complaintdesk.accounts.actions import do_create_team, do_create_user, do_update_user
from complaintdesk.accounts.models import User
from complaintdesk.core.errors import InvalidInput
from complaintdesk.customers.actions import do_create_customer, do_create_product, do_create_product_line
from complaintdesk.rules.actions import do_set_user_skills, do_set_working_hours
from complaintdesk.rules.assignment import check_working_hours, is_available, pick_assignee
from complaintdesk.tickets.actions import do_create_ticket


def _users(n: int, prefix: str = "u") -> list[User]:
    return [do_create_user(username=f"{prefix}{i}", password="Test-passw0rd!", actor=None) for i in range(n)]


def _pick(strategy: str, users: list[User], ticket=None, pool: str = "p") -> User | None:
    with transaction.atomic():
        return pick_assignee(strategy_name=strategy, candidates=users, ticket=ticket, pool_key=pool)


def test_round_robin_takes_turns_per_pool(db):
    users = _users(3)
    picks = [_pick("round_robin", users).username for _ in range(6)]
    assert picks == ["u0", "u1", "u2", "u0", "u1", "u2"]
    assert _pick("round_robin", users, pool="other").username == "u0"  # pools are independent


def test_least_loaded_weighs_open_tickets_by_priority(org):
    a, b = _users(2)
    do_create_ticket(actor=None, subject="p1", priority="P1", assignee=a)  # weight 4
    for _ in range(3):
        do_create_ticket(actor=None, subject="p4", priority="P4", assignee=b)  # 3 × 1
    assert _pick("least_loaded", [a, b]) == b
    do_create_ticket(actor=None, subject="p4", priority="P4", assignee=b)  # 4 = 4: tie → lowest id
    assert _pick("least_loaded", [a, b]) == a


def test_skill_prefers_the_most_skilled_and_covers_subcategories(org):
    a, b, c = _users(3)
    parent = org.categories["product_quality"]
    child = next(cat for cat in org.categories.values() if cat.parent_id == parent.pk)
    do_set_user_skills(a, actor=None, skills=[{"category": parent.key, "level": 2}])
    do_set_user_skills(b, actor=None, skills=[{"category": child.key, "level": 4}])
    ticket, _ = do_create_ticket(actor=None, subject="x", category=child)
    assert _pick("skill", [a, b, c], ticket) == b
    other, _ = do_create_ticket(actor=None, subject="x", category=org.categories["other"])
    assert _pick("skill", [a, b, c], other) is None  # nobody skilled: the caller's fallback decides


def test_skill_by_product_and_product_line(org):
    a, b = _users(2)
    line = do_create_product_line(name="家用电器", actor=None)
    fridge = do_create_product(sku="RF-1", name="冰箱", line=line, actor=None)
    do_set_user_skills(a, actor=None, skills=[{"product_line": "家用电器"}])
    do_set_user_skills(b, actor=None, skills=[{"product": "PH-001", "level": 5}])
    fridge_ticket, _ = do_create_ticket(actor=None, subject="x", product=fridge)
    phone_ticket, _ = do_create_ticket(actor=None, subject="x", product=org.product)
    assert _pick("skill", [a, b], fridge_ticket) == a
    assert _pick("skill", [a, b], phone_ticket) == b


def test_invalid_skills_list_every_problem(org):
    (a,) = _users(1)
    with pytest.raises(InvalidInput) as caught:
        do_set_user_skills(a, actor=None,
                           skills=[{"category": "nope"}, {"level": 3}, {"product": "PH-001", "level": 9}])
    assert len(caught.value.details["problems"]) == 3


def test_account_owner(org):
    owner, other = _users(2)
    customer = do_create_customer(name="王五", phone="13700000000", actor=None)
    customer.account_owner = owner
    customer.save(update_fields=["account_owner"])
    ticket, _ = do_create_ticket(actor=None, subject="x", customer=customer)
    assert _pick("account_owner", [other, owner], ticket) == owner
    assert _pick("account_owner", [other], ticket) is None
    no_owner, _ = do_create_ticket(actor=None, subject="x", customer=org.customer)
    assert _pick("account_owner", [other, owner], no_owner) is None


def test_away_off_and_deactivated_users_are_skipped(db):
    a, b, c = _users(3)
    do_update_user(a, actor=None, availability="away")
    do_update_user(b, actor=None, is_active=False)
    for strategy in ("round_robin", "least_loaded"):
        for _ in range(3):
            assert _pick(strategy, [a, b, c]) == c
    do_update_user(c, actor=None, availability="off")
    assert _pick("round_robin", [a, b, c]) is None
    with transaction.atomic():  # availability can be ignored on request; deactivation never
        chosen = pick_assignee(strategy_name="least_loaded", candidates=[a, b], respect_availability=False)
    assert chosen == a


def test_working_hours_in_the_organisation_time_zone(db, frozen_clock):
    a, b = _users(2)
    # Tuesday 2026-03-10 10:00 Asia/Shanghai
    do_set_working_hours(a, actor=None, working_hours={"2": [["09:00", "12:00"], ["13:00", "18:00"]]})
    do_set_working_hours(b, actor=None, working_hours={"1": [["09:00", "18:00"]]})
    assert is_available(a) and not is_available(b)
    assert _pick("least_loaded", [a, b]) == a
    frozen_clock.set(datetime(2026, 3, 10, 4, 30, tzinfo=UTC))  # 12:30 local: lunch
    assert not is_available(a)
    assert _pick("least_loaded", [a, b]) is None
    do_set_working_hours(b, actor=None, working_hours={})  # no restriction
    assert _pick("least_loaded", [a, b]) == b


def test_working_hours_validation_lists_every_problem():
    problems = check_working_hours({"8": [], "1": [["18:00", "09:00"]], "2": "9-18", "3": [["9:00", "12:00"]]})
    assert len(problems) == 4
    assert check_working_hours({"1": [["00:00", "24:00"]]}) == []


def test_unknown_strategy_is_refused(db):
    with pytest.raises(InvalidInput):
        _pick("coin_flip", _users(1))


@pytest.mark.django_db(transaction=True)
def test_round_robin_is_fair_under_concurrency():
    users = _users(3, prefix="rr")
    team = do_create_team(name="并发组", actor=None)
    chosen: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(6):
                with transaction.atomic():
                    user = pick_assignee(strategy_name="round_robin", candidates=users, pool_key=f"team:{team.pk}")
                assert user is not None
                with lock:
                    chosen.append(user.username)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Counter(chosen) == {"rr0": 8, "rr1": 8, "rr2": 8}
