"""Schemas shared by every router: the error shape, references and pages."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    """Every 4xx answer: a stable machine code, a message (zh-CN / en) and per-field details."""

    code: str
    message: str
    details: Any = None


class Ref(Schema):
    id: int
    name: str


class UserRef(Schema):
    id: int
    username: str
    display_name: str


class PageMeta(Schema):
    count: int
    count_exact: bool
    page: int
    page_size: int


ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                   422: ErrorOut}


def user_ref(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "display_name": user.display_name or user.username}


MAX_PAGE = 1_000_000


def paginate(qs: Any, page: int, page_size: int, *, exact_cap: int = 10000) -> tuple[list[Any], dict[str, Any]]:
    """Slice one page; the count is exact up to ``exact_cap`` rows (a bounded cost on 1M rows)."""
    from complaintdesk.core.errors import InvalidInput

    # The page bound keeps the OFFSET inside a 64-bit integer: beyond it SQLite and PostgreSQL
    # raise instead of answering an empty page.
    if not 1 <= page <= MAX_PAGE or not 1 <= page_size <= 200:
        raise InvalidInput(f"分页参数无效 / 1 <= page <= {MAX_PAGE} and 1 <= page_size <= 200",
                           details={"page": page, "page_size": page_size})
    offset = (page - 1) * page_size
    items = list(qs[offset: offset + page_size])
    if page == 1 and len(items) < page_size:
        count, exact = len(items), True
    else:
        n = qs.order_by().values("pk")[: exact_cap + 1].count()
        count, exact = (exact_cap, False) if n > exact_cap else (n, True)
    return items, {"count": count, "count_exact": exact, "page": page, "page_size": page_size}
