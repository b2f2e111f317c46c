"""The preview (one query by day, windows summed in Python) agrees with evaluation (one query
bucketed by window) at the end of every day it shows."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.insights.actions import do_evaluate_alert_rule
from complaintdesk.insights.measure import RuleSpec, day_end, preview_rule
from complaintdesk.insights.models import Alert

pytestmark = pytest.mark.django_db

RULES = {
    "count": {"metric": "count", "threshold_blue": 4, "threshold_yellow": 6, "threshold_red": 8},
    "growth": {"metric": "growth", "baseline_windows": 2, "min_count": 3, "threshold_blue": 0,
               "threshold_yellow": 30, "threshold_red": 80},
}


@pytest.mark.parametrize("metric", sorted(RULES))
@pytest.mark.parametrize("seed", [1, 2])
def test_preview_points_equal_evaluations_at_those_day_ends(org, complain, make_rule, second_product, frozen_clock,
                                                            metric, seed):
    rng = random.Random(f"{metric}-{seed}")
    now = frozen_clock.now()
    products = [org.product, second_product]
    for _ in range(110):
        complain(1, at=now - timedelta(minutes=rng.randrange(1, 60 * 24 * 60)), product=rng.choice(products))
    # Tickets exactly on a local midnight belong to the day that starts there, in both readers.
    today = (now + timedelta(hours=8)).date()
    for back in (3, 9, 15):
        complain(2, at=day_end(today - timedelta(days=back)), product=org.product)
    rule = make_rule(name=f"{metric} {seed}", window_days=5, **RULES[metric])

    preview = preview_rule(RuleSpec.of(rule), now=now, days=30, top=10)
    assert preview.days[-1] == today and len(preview.days) == 30 and preview.total_groups == 2
    assert any(level for g in preview.groups for level in g.levels), "the data should reach a level somewhere"

    for i in sorted(rng.sample(range(29), 8)):  # past days; today's point is "so far"
        frozen_clock.set(preview.evaluated_at[i])
        do_evaluate_alert_rule(rule)
        expected = {g.group_key: (g.values[i], g.levels[i], g.counts[i]) for g in preview.groups if g.levels[i]}
        actual = {a.group_key: (a.value, a.level, a.count) for a in Alert.objects.filter(rule=rule, status="open")}
        assert actual == expected, preview.days[i]


def test_preview_costs_one_query_and_ranks_groups_by_level(org, complain, make_rule, second_product, frozen_clock):
    complain(7, days_ago=2)  # red for the first product
    complain(2, days_ago=2, product=second_product)  # blue for the second
    rule = make_rule()
    with CaptureQueriesContext(connection) as queries:
        preview = preview_rule(RuleSpec.of(rule), now=frozen_clock.now(), days=90, top=1)
    assert len(queries) == 2  # the grouped counts, and the labels of the groups shown
    [group] = preview.groups
    assert group.group_key == str(org.product.pk) and group.levels[-1] == "red" and preview.total_groups == 2
    assert len(group.counts) == 90 and group.counts[-4] == 0 and group.counts[-3:] == [7, 7, 7]  # 7-day sums


def test_evaluation_counts_in_one_grouped_query(org, complain, make_rule, second_product, frozen_clock):
    rule = make_rule(metric="growth", threshold_blue=10, threshold_yellow=20, threshold_red=30)
    for weeks in range(5):
        complain(weeks + 1, days_ago=7 * weeks + 1)
        complain(1, days_ago=7 * weeks + 1, product=second_product)
    from complaintdesk.insights.measure import measure_rule

    with CaptureQueriesContext(connection) as queries:
        measured = measure_rule(RuleSpec.of(rule), now=frozen_clock.now())
    assert len(queries) == 2  # one GROUP BY (group, window) for all five windows, and the labels
    mine = measured.groups[str(org.product.pk)]
    assert (mine.count, mine.baseline) == (1, 3.5)
