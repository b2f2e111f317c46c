"""Properties of the engine on arbitrary input: it never raises, and what it stores is a fixed point
(submitting the stored values again gives the same values, without errors)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaintdesk.forms.engine import EvaluationContext, evaluate_form
from complaintdesk.forms.schema import compile_schema
from complaintdesk.forms.tests.conftest import NOW
from complaintdesk.forms.tests.test_fieldtypes import BAD, GOOD

# One field per sample that needs no database, with the sample's properties.
SAMPLES = [(t, props, value) for t, props, value, _ in GOOD] + [(t, props, value) for t, props, value, _ in BAD]
FIELDS: list[dict[str, Any]] = []
VALUES: dict[str, list[Any]] = {}
for i, (type_, props, value) in enumerate(SAMPLES):
    key = f"f{i}"
    FIELDS.append({"key": key, "type": type_, "label": f"字段{i}", **props})
    VALUES[key] = [value]
SCHEMA = compile_schema({"fields": [
    *FIELDS,
    {"key": "calc", "type": "formula", "label": "计算", "formula": "IFERROR({f8} * 2 + LEN({f0}), -1)"},
    {"key": "cond", "type": "text", "label": "条件", "visible_when": {"field": "f8", "op": "gt", "value": 5},
     "required_when": {"formula": "{f24}"}},
]})

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                         st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12)


@st.composite
def submissions(draw: Any) -> dict[str, Any]:
    keys = draw(st.lists(st.sampled_from([*VALUES, "calc", "cond", "junk"]), unique=True, max_size=25))
    out: dict[str, Any] = {}
    for key in keys:
        samples = VALUES.get(key, [])
        out[key] = draw(st.one_of(st.sampled_from(samples), json_values) if samples else json_values)
    return out


def _evaluate(values: Any) -> Any:
    return evaluate_form(SCHEMA, values, context=EvaluationContext(now=NOW))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(submissions())
def test_never_raises_and_stored_values_are_a_fixed_point(values):
    result = _evaluate(values)
    assert set(result.errors) <= {*VALUES, "calc", "cond", "junk"}
    again = _evaluate(result.values)
    assert again.values == result.values
    assert again.errors == {k: v for k, v in result.errors.items() if k in again.errors}
    assert not set(again.errors) - {"cond"} - {k for k in result.errors}


@st.composite
def junk_schemas(draw: Any) -> Any:
    from complaintdesk.forms.fieldtypes import FIELD_TYPES
    from complaintdesk.forms.fieldtypes.base import COMMON_PROPERTIES

    def field() -> dict[str, Any]:
        raw: dict[str, Any] = {"key": draw(st.sampled_from(["a", "b", "c", "items", "x1", "Bad"])),
                               "type": draw(st.sampled_from([*FIELD_TYPES, "nope"])), "label": "字段"}
        for name in draw(st.lists(st.sampled_from(COMMON_PROPERTIES), max_size=4)):
            raw[name] = draw(st.one_of(json_values, st.sampled_from(
                ["{a} + {b}", "SUM({items.c})", "(", "TODAY()"] if name in ("formula", "default_formula") else
                [{"field": "a", "op": "eq", "value": 1}, {"formula": "{b} > 1"}, {"any": []}] if name.endswith("_when")
                else [{"columns": [{"key": "c", "type": "integer", "label": "C"}], "totals": {"c": "sum"}}]
                if name == "config" else [None])))
        return raw

    return {"fields": [field() for _ in range(draw(st.integers(0, 6)))],
            "layout": draw(st.one_of(st.just([]), st.lists(st.one_of(st.sampled_from(["a", "b", "c"]), json_values),
                                                           max_size=3)))}


@pytest.mark.django_db
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(st.one_of(junk_schemas(), json_values))
def test_validation_never_raises_and_valid_schemas_evaluate(schema):
    from complaintdesk.forms.schema import validate_schema

    problems = validate_schema(schema)
    assert all(p.path is not None and p.code and " / " in p.message for p in problems)
    if not problems:
        evaluate_form(schema, {"a": 1, "b": "x", "items": [{"c": 2}]}, context=EvaluationContext(now=NOW))
