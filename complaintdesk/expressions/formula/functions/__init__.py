"""The functions of the formula language, one module per family, registered in :data:`FUNCTIONS`."""

from __future__ import annotations

from . import dates, logical, lookup, maths, text  # noqa: F401 - importing registers the functions
from .registry import CATEGORIES, FUNCTIONS, CallSite, Evaluator, FunctionSpec, register, register_special

__all__ = ["CATEGORIES", "FUNCTIONS", "CallSite", "Evaluator", "FunctionSpec", "register", "register_special"]
