"""The REST API root (``/api/v1``): authentication, the one error shape, and the routers."""

from __future__ import annotations

import json
import logging
import math
import re
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBearer
from ninja.security.session import SessionAuth

from complaintdesk import __version__
from complaintdesk.accounts.actions import authenticate_token
from complaintdesk.core.errors import DomainError

logger = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer cd_...`` — API tokens for integrations."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    """The browser's session cookie (CSRF-checked on unsafe methods); inactive users are refused."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a session cookie there is no session for CSRF to protect. Skipping the check
        # then lets a token client with a missing, revoked or expired token get 401 (not a
        # CSRF 403 that it cannot act on).
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


AUTH: list[APIKeyCookie | HttpBearer] = [TokenAuth(), ActiveSessionAuth()]

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number out of range: {text[:20]}")
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class StrictJSONParser(Parser):
    """Standard JSON only. Python's parser also accepts NaN and Infinity (and 1e999 becomes inf),
    and keeps an unpaired surrogate escape as a lone surrogate; neither database can store those
    (a 500 on save). Ninja answers a body refused here with 400 "Cannot parse request body"."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = json.loads(request.body, parse_float=_finite_float, parse_constant=_reject_constant)
        if _SURROGATE_ESCAPE.search(request.body):
            # A paired escape decodes to one character; only a lone surrogate fails to encode.
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        return data


api = NinjaAPI(
    title="ComplaintDesk API",
    version=__version__,
    description=(
        "客户投诉管理系统开放接口 / ComplaintDesk REST API.\n\n"
        "Authenticate with `Authorization: Bearer <token>` (create one with `complaintdesk token USER` "
        "or `POST /api/v1/tokens`) or with the web session. Every 4xx answer has the shape "
        '`{"code", "message", "details"}`.'
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=AUTH,
    parser=StrictJSONParser(),
)


def _error(request: HttpRequest, status: int, code: str, message: str, details: Any = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "details": details or {}},
                               status=status)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.status_code, exc.code, exc.message, exc.details)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", [])]
        details.append({"loc": loc, "message": err.get("msg", ""), "type": err.get("type", "")})
    return _error(request, 422, "validation_error", "请求参数无效 / Invalid request", details)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "请先登录或提供有效令牌 / Authentication required")


@api.exception_handler(Http404)
def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "资源不存在 / Not found")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {400: "bad_request", 401: "unauthenticated", 403: "permission_denied", 404: "not_found",
            405: "method_not_allowed", 409: "conflict", 413: "too_large", 429: "rate_limited"}.get(
        exc.status_code, "error")
    return _error(request, exc.status_code, code, str(exc) or code)


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    from django.conf import settings

    return _error(request, 413, "too_large", "请求体过大 / Request body too large",
                  {"max_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE})


@api.exception_handler(OverflowError)
def on_overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    # An id beyond 64 bits, or a date pushed past year 1..9999 by time-zone conversion, reaches
    # the database driver; SQLite's raises OverflowError where PostgreSQL simply finds nothing.
    logger.info("out-of-range input on %s %s: %s", request.method, request.path, exc)
    return _error(request, 422, "validation_error", "数值或日期超出范围 / A number or date is out of range")


@api.exception_handler(DataError)
def on_data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    # A value its column cannot hold (PostgreSQL enforces varchar lengths, SQLite does not) that
    # no schema bound caught; warned so that the missing bound gets added to the schema.
    logger.warning("value refused by the database on %s %s: %s", request.method, request.path, exc)
    return _error(request, 422, "validation_error",
                  "数值超出字段允许的长度或范围 / A value is too long or out of range for its field")


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unhandled error on %s %s", request.method, request.path)
    return _error(request, 500, "internal_error", "服务器内部错误 / Internal server error")


def _register() -> None:
    from complaintdesk.accounts.api import router as accounts_router
    from complaintdesk.bundles.api import router as bundles_router
    from complaintdesk.channels.api import router as channels_router
    from complaintdesk.core.api import router as core_router
    from complaintdesk.customers.api import router as customers_router
    from complaintdesk.forms.api import router as forms_router
    from complaintdesk.improvement.api import router as improvement_router
    from complaintdesk.insights.api import router as insights_router
    from complaintdesk.notifications.api import router as notifications_router
    from complaintdesk.reports.api import router as reports_router
    from complaintdesk.rules.api import router as rules_router
    from complaintdesk.savedviews.api import router as savedviews_router
    from complaintdesk.sla.api import router as sla_router
    from complaintdesk.tickets.api import router as tickets_router
    from complaintdesk.transfer.api import router as transfer_router
    from complaintdesk.workflows.api import router as workflows_router

    api.add_router("", accounts_router)
    api.add_router("", core_router)
    api.add_router("", customers_router)
    api.add_router("", forms_router)
    api.add_router("", tickets_router)
    api.add_router("", channels_router)
    api.add_router("", workflows_router)
    api.add_router("", rules_router)
    api.add_router("", sla_router)
    api.add_router("", notifications_router)
    api.add_router("", insights_router)
    api.add_router("", improvement_router)
    api.add_router("", transfer_router)
    api.add_router("", reports_router)
    api.add_router("", bundles_router)
    api.add_router("", savedviews_router)


_register()
