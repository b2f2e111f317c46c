"""ComplaintDesk's formula language: Excel syntax and semantics, compiled to Python closures.

    >>> cf = compile_formula('IF({amount}>100, ROUND({amount}*0.1, 2), 0)')
    >>> cf.references
    frozenset({'amount'})
    >>> cf.evaluate({"amount": 1234.5})
    123.45

See docs/formulas.md for the language, the types, blanks, errors and the function table.
"""

from __future__ import annotations

from .compiler import CompiledFormula, compile_formula, evaluate_formula
from .context import FormulaContext
from .errors import FormulaSyntaxError
from .functions import CATEGORIES, FUNCTIONS, FunctionSpec
from .parser import MAX_DEPTH, MAX_LENGTH
from .values import ERROR_CODES, ExcelError

__all__ = [
    "CATEGORIES",
    "ERROR_CODES",
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "CompiledFormula",
    "ExcelError",
    "FormulaContext",
    "FormulaSyntaxError",
    "FunctionSpec",
    "compile_formula",
    "evaluate_formula",
]
