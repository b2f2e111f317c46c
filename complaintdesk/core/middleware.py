"""Request middleware: the channel (``api`` for token calls, ``web`` for the browser) for the
timeline, and the refusal of NUL characters in API input."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse

from complaintdesk.core.context import via


class ChannelMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.headers.get("Authorization", "").startswith("Bearer ") else "web"
        with via(channel):
            return self.get_response(request)


# A JSON ``\\u0000`` escape that is not itself an escaped backslash followed by "u0000".
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


class RejectNulMiddleware:
    """Answer 422 to API requests carrying a NUL character in the path, query or JSON body.

    PostgreSQL text cannot hold NUL (the driver raises, which surfaced as a 500) while SQLite
    stores it; refusing it up front keeps both databases behaving the same.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            where = self._nul_in(request)
            if where:
                return JsonResponse(
                    {"code": "validation_error", "message": "请求含有空字符 / The request contains a NUL character",
                     "details": {"nul": where}},
                    status=422,
                )
        return self.get_response(request)

    @staticmethod
    def _nul_in(request: HttpRequest) -> str:
        if "\x00" in request.path:
            return "path"
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
            return "query"
        # Ninja parses a body as JSON whatever type it is declared as; only uploads are streamed.
        if request.content_type != "multipart/form-data":
            try:
                body = request.body
            except RequestDataTooBig:
                return ""  # refused later with its own answer
            # A raw NUL byte is not valid JSON and is refused by the parser (400); only the
            # escape reaches a string value.
            if _JSON_NUL.search(body):
                return "body"
        return ""


_API_ERROR_CODES = {
    400: ("bad_request", "请求无效 / Bad request"),
    401: ("unauthenticated", "请先登录或提供有效令牌 / Authentication required"),
    403: ("permission_denied", "没有权限 / Permission denied"),
    404: ("not_found", "资源不存在 / Not found"),
    405: ("method_not_allowed", "不支持该请求方法 / Method not allowed"),
    413: ("too_large", "请求体过大 / Request body too large"),
}


class ApiErrorShapeMiddleware:
    """Give the API's one error shape ``{"code", "message", "details"}`` to 4xx answers made outside
    the API's exception handlers — an unknown URL under /api/ (Django's HTML 404) or a method that
    the path does not allow (ninja's plain-text 405) — so clients can parse every error alike."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        status = response.status_code
        if (
            400 <= status < 500
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = _API_ERROR_CODES.get(status, ("error", "请求无效 / Invalid request"))
            shaped = JsonResponse({"code": code, "message": message, "details": {}}, status=status)
            if response.has_header("Allow"):
                shaped["Allow"] = response["Allow"]
            return shaped
        return response
