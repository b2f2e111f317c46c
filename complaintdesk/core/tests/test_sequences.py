"""Gap-free named counters."""

from __future__ import annotations

import pytest
from django.db import transaction

from complaintdesk.core.models import Sequence
from complaintdesk.core.sequences import next_value


@pytest.mark.django_db(transaction=True)
def test_next_value_outside_a_transaction_raises():
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        next_value("ticket:TS20260310")
    assert not Sequence.objects.exists()

    with transaction.atomic():
        assert next_value("ticket:TS20260310") == 1
    # The committed value survives into the next transaction.
    with transaction.atomic():
        assert next_value("ticket:TS20260310") == 2
    assert Sequence.objects.get(key="ticket:TS20260310").value == 2


def test_values_increment_per_key(db):
    with transaction.atomic():
        assert [next_value("a") for _ in range(3)] == [1, 2, 3]
        assert next_value("b") == 1
        assert next_value("a") == 4
        assert next_value("b") == 2
    assert dict(Sequence.objects.values_list("key", "value")) == {"a": 4, "b": 2}


def test_rolled_back_number_is_given_again(db):
    with transaction.atomic():
        assert next_value("k") == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_value("k") == 2
        raise RuntimeError("ticket insert failed")
    with transaction.atomic():
        assert next_value("k") == 2  # no gap


def test_keys_are_exact_strings(db):
    with transaction.atomic():
        assert next_value("ticket:TS2026031") == 1
        assert next_value("ticket:TS20260310") == 1
        assert next_value("Ticket:TS20260310") == 1
        assert next_value("工单:TS20260310") == 1
