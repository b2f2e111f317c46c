"""Shared pieces of the API robustness (fuzz) tests: hypothesis strategies for hostile values and the
check that every answer keeps the one error shape. Each app's fuzz test imports them from here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
FEW = settings(FUZZ, max_examples=15)

# --- values ---------------------------------------------------------------------------------

EDGE_INTS = [0, -1, 1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, -(2**63) - 1, 10**30]
huge_text = st.builds(lambda ch, n: ch * n, st.characters(codec="utf-8", exclude_categories=["Cs"]),
                      st.sampled_from([51, 101, 201, 301, 2_001, 20_001, 60_000]))
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.sampled_from(EDGE_INTS), st.floats(),
    st.text(max_size=40), huge_text, st.sampled_from(["", " ", "null", "0", "1e309", "P1", "high", "new", "\u202e",
                                                       "<script>alert(1)</script>", "' OR 1=1 --", "𠜎𠜱𠝹"]),
)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
aware_or_naive = st.one_of(
    st.none(), st.just(UTC),
    st.builds(timezone, st.timedeltas(min_value=-timedelta(hours=23, minutes=59),
                                      max_value=timedelta(hours=23, minutes=59))),
)
datetimes_text = st.one_of(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59),
                 timezones=aware_or_naive).map(lambda d: d.isoformat()),  # type: ignore[arg-type]
    st.sampled_from(["0001-01-01T00:00:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59",
                     "9999-12-31T23:59:59-14:00", "2026-03-10", "2026-02-30", "10000-01-01", "now", "1e10"]),
    st.text(max_size=30),
)


def one_of_or_junk(*choices: Any) -> st.SearchStrategy[Any]:
    """A plausible value half of the time (to reach deep validation), anything JSON otherwise."""
    return st.one_of(st.sampled_from(list(choices)), json_values)


def ids(*real: int) -> st.SearchStrategy[Any]:
    return st.one_of(st.sampled_from(list(real) or [1]), st.sampled_from(EDGE_INTS), json_values)


def body(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """Objects with any subset of the endpoint's fields plus unknown keys — or not an object at all."""
    known = st.fixed_dictionaries({}, optional=fields)
    extra = st.dictionaries(st.text(max_size=12), json_values, max_size=3)
    return st.one_of(
        st.builds(lambda k, e: {**e, **k}, known, extra),
        known,
        json_values,
    )


def path_ids(real: int) -> st.SearchStrategy[str]:
    return st.one_of(
        st.just(str(real)),
        st.sampled_from(EDGE_INTS).map(str),
        st.sampled_from(["abc", "1.5", "-0", "1e3", " 1", "0x10", "١٢"]),
        st.text(min_size=1, max_size=20),
    ).map(lambda segment: quote(segment, safe=""))


# --- checks ---------------------------------------------------------------------------------


def assert_well_formed(response: Any, what: Any) -> None:
    status = response.status_code
    assert status < 500, (what, status, response.content[:1000])
    if 400 <= status < 500:
        assert response["Content-Type"].startswith("application/json"), (what, status, response.content[:300])
        payload = response.json()
        assert isinstance(payload, dict) and {"code", "message", "details"} <= set(payload), (what, payload)
        assert isinstance(payload["code"], str) and payload["code"], (what, payload)
        assert isinstance(payload["message"], str), (what, payload)


def send(client: Any, method: str, url: str, raw: bytes | str, content_type: str) -> Any:
    # generic() sends the bytes as they are; post()/patch() would re-encode them for the charset.
    return client.client.generic(method.upper(), url, raw, content_type=content_type, **client.headers)


def query_value(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    as_text = st.one_of(values, st.sampled_from(EDGE_INTS), st.text(max_size=20), huge_text).map(str)
    return st.one_of(as_text, st.lists(as_text, min_size=1, max_size=3))
