"""Sets the request's channel (``api`` for token calls, ``web`` for the browser) for the timeline."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from complaintdesk.core.context import via


class ChannelMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.headers.get("Authorization", "").startswith("Bearer ") else "web"
        with via(channel):
            return self.get_response(request)
