"""The order-number verification hook.

An ``order_number`` field may name a lookup in its config (``"lookup": "erp"``); the lookup is a
callable registered here at start-up by a connector (ERP, e-commerce platform ...). ComplaintDesk
ships none that leaves the process: a connector that calls a remote system registers itself.

A lookup answers ``True`` (the order exists), ``False`` (it does not), or raises
``OrderLookupUnavailable`` when it cannot tell right now; the field's ``strict`` setting decides
whether an unverifiable number is refused or accepted.
"""

from __future__ import annotations

from collections.abc import Callable

OrderLookup = Callable[[str], bool]

_LOOKUPS: dict[str, OrderLookup] = {}


class OrderLookupUnavailable(Exception):
    """The remote system did not answer (time-out, outage); the number is neither found nor missing."""


def register_order_lookup(name: str, lookup: OrderLookup) -> None:
    _LOOKUPS[name] = lookup


def unregister_order_lookup(name: str) -> None:
    _LOOKUPS.pop(name, None)


def get_order_lookup(name: str) -> OrderLookup | None:
    return _LOOKUPS.get(name)


def order_lookup_names() -> list[str]:
    return sorted(_LOOKUPS)
