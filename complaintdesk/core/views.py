"""The landing page of the embedded server (the web workspace arrives with the UI issues)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from complaintdesk import __version__


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"version": __version__})
