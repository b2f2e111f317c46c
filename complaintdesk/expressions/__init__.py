"""Expressions: the Excel-style formula language (:mod:`.formula`) and the one condition format
(:mod:`.conditions`). Neither is a Django app; both only compute.

The formula API is re-exported here. The condition module is imported from its own path
(``complaintdesk.expressions.conditions``) because it needs Django's models, while formulas must stay
importable without a configured Django (benchmarks, tooling).
"""

from __future__ import annotations

from .formula import (
    FUNCTIONS,
    CompiledFormula,
    ExcelError,
    FormulaContext,
    FormulaSyntaxError,
    FunctionSpec,
    compile_formula,
    evaluate_formula,
)

__all__ = [
    "FUNCTIONS",
    "CompiledFormula",
    "ExcelError",
    "FormulaContext",
    "FormulaSyntaxError",
    "FunctionSpec",
    "compile_formula",
    "evaluate_formula",
]
