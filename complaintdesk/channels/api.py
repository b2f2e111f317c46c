"""Public intake endpoints (no authentication): a public form's schema, anonymous submissions,
and the customer's view of a ticket by its tracking token.

Submissions are rate-limited per client IP (Django's cache), size-limited, and carry a honeypot
field (``website``): a filled one answers like a success and stores nothing.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from complaintdesk.channels import queries
from complaintdesk.channels.actions import do_submit_public_form
from complaintdesk.channels.ratelimit import check_rate, client_ip
from complaintdesk.channels.schemas import PublicFormOut, PublicTicketOut, SubmissionIn, SubmissionOut
from complaintdesk.core import clock
from complaintdesk.core.errors import DomainError
from complaintdesk.core.schemas import ERRORS, ErrorOut
from complaintdesk.forms import queries as forms_queries
from complaintdesk.forms.engine import EvaluationContext, evaluate_form
from complaintdesk.forms.schema import compile_schema
from complaintdesk.forms.schemas import EvaluateIn, EvaluateOut, RegionOut
from complaintdesk.tickets import uploads
from complaintdesk.tickets.choices import TicketStatus
from complaintdesk.tickets.schemas import UploadOut

router = Router(tags=["public"])

PUBLIC_ERRORS: dict[int, Any] = {**ERRORS, 413: ErrorOut, 429: ErrorOut}
SUCCESS_MESSAGE = {"zh-CN": "已收到您的投诉，请保存查询码以便跟踪进度。",
                   "en": "We have received your complaint. Keep the tracking code to follow its progress."}


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "too_large"


def _submissions_per_minute() -> int:
    return int(getattr(settings, "PUBLIC_SUBMISSIONS_PER_MINUTE", 10))


def _max_submission_bytes() -> int:
    return int(getattr(settings, "PUBLIC_SUBMISSION_MAX_BYTES", 64 * 1024))


def _tracking_url(token: str) -> str:
    return f"/api/v1/public/tickets/{token}"


def _answer(number: str, token: str) -> dict[str, Any]:
    return {"number": number, "tracking_token": token, "tracking_url": _tracking_url(token),
            "message": SUCCESS_MESSAGE}


@router.get("/public/forms/{slug}", auth=None, response={200: PublicFormOut, **PUBLIC_ERRORS}, by_alias=True,
            summary="A public form's published schema (no authentication)")
def get_public_form(request: HttpRequest, slug: str) -> Any:
    check_rate(request, bucket="public-read", limit=120)
    version = queries.get_public_version(slug=slug[:64])
    form = version.form
    return {"slug": form.public_slug, "key": form.key, "name": form.name, "name_en": form.name_en,
            "description": form.description, "version_id": version.pk, "version": version.number,
            "schema": version.schema}


@router.post("/public/forms/{slug}/submissions", auth=None, response={201: SubmissionOut, **PUBLIC_ERRORS},
             summary="Submit a complaint anonymously through a public form (rate-limited per IP)")
def submit_public_form(request: HttpRequest, slug: str, payload: SubmissionIn) -> Any:
    check_rate(request, bucket="public-submit", limit=_submissions_per_minute())
    limit = _max_submission_bytes()
    if len(request.body) > limit:
        raise PayloadTooLarge(f"提交内容过大 / The submission exceeds {limit} bytes", details={"max_bytes": limit})
    version = queries.get_public_version(slug=slug[:64])
    if payload.website:
        # A robot filled the field people never see: answer as if it worked, keep nothing.
        fake = f"{timezone.localtime(clock.now()):%Y%m%d}{secrets.randbelow(10**6):06d}"
        return Status(201, _answer(fake, secrets.token_urlsafe(18)))
    ticket, _ = do_submit_public_form(version, values=payload.values, url_params=payload.url_params,
                                      submission_id=payload.submission_id, client_ip=client_ip(request))
    return Status(201, _answer(ticket.number, ticket.tracking_token))


def _evaluations_per_minute() -> int:
    return int(getattr(settings, "PUBLIC_EVALUATIONS_PER_MINUTE", 240))


@router.post("/public/forms/{slug}/evaluate", auth=None, response={200: EvaluateOut, **PUBLIC_ERRORS},
             summary="Evaluate a public form's values while the visitor types: formulas, visibility, errors "
                     "(rate-limited per IP; stores nothing)",
             description="The same engine and answer as `POST /forms/{id}/evaluate`, as an anonymous submission "
                         "sees it: related tickets are refused, order numbers are not looked up, no serial "
                         "number is taken.")
def evaluate_public_form(request: HttpRequest, slug: str, payload: EvaluateIn) -> Any:
    check_rate(request, bucket="public-evaluate", limit=_evaluations_per_minute())
    limit = _max_submission_bytes()
    if len(request.body) > limit:
        raise PayloadTooLarge(f"提交内容过大 / The submission exceeds {limit} bytes", details={"max_bytes": limit})
    version = queries.get_public_version(slug=slug[:64])
    context = EvaluationContext(viewer=None, public=True, verify_orders=False, serial_scope=version.form.key,
                                url_params=payload.url_params)
    result = evaluate_form(compile_schema(version.schema), payload.values, context=context)
    return {"version": {"id": version.pk, "number": version.number, "status": version.status,
                        "revision": version.revision}, **result.as_dict()}


@router.get("/public/regions", auth=None, response={200: list[RegionOut], **PUBLIC_ERRORS},
            summary="China's administrative divisions for public forms' region and address fields (no authentication)")
def list_public_regions(request: HttpRequest, parent: str | None = None) -> Any:
    check_rate(request, bucket="public-read", limit=120)
    return forms_queries.list_region_divisions(parent=parent)


def _uploads_per_minute() -> int:
    return int(getattr(settings, "PUBLIC_UPLOADS_PER_MINUTE", 30))


@router.post("/public/forms/{slug}/uploads", auth=None, response={201: UploadOut, **PUBLIC_ERRORS},
             summary="Upload a file for a public form's file field (multipart field 'file'; rate-limited per IP)",
             description="`field` names the form's attachments/images/signature field; its size and type limits "
                         "apply. The answer is the reference to put in that field's value; only a submission from "
                         "the same IP within 24 hours can use it.")
def upload_public_file(request: HttpRequest, slug: str, field: str, file: File[UploadedFile]) -> Any:
    check_rate(request, bucket="public-upload", limit=_uploads_per_minute())
    version = queries.get_public_version(slug=slug[:64])
    target = uploads.upload_field(version, field[:64])
    limit = min(int(settings.ATTACHMENT_MAX_BYTES), int(getattr(settings, "PUBLIC_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)))
    if (file.size or 0) > limit:
        raise PayloadTooLarge(f"文件过大 / The file exceeds {limit} bytes", details={"max_bytes": limit})
    upload = uploads.do_create_upload(content=file.read(), name=file.name or "file", actor=None,
                                      client_ip=client_ip(request), public=True, field=target)
    return Status(201, uploads.upload_reference(upload))


@router.get("/public/tickets/{token}", auth=None, response={200: PublicTicketOut, **PUBLIC_ERRORS},
            summary="Follow a complaint by its tracking code: status and public replies (no authentication)")
def track_ticket(request: HttpRequest, token: str) -> Any:
    check_rate(request, bucket="public-track", limit=120)
    ticket = queries.get_tracked_ticket(token=token[:64])
    status = TicketStatus(ticket.status)
    return {
        "number": ticket.number, "subject": ticket.subject, "status": ticket.status,
        "status_label": {"zh-CN": str(status.label), "en": status.value.replace("_", " ").capitalize()},
        "created_at": ticket.created_at, "updated_at": ticket.updated_at, "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at,
        "replies": [{"body": c.body, "created_at": c.created_at} for c in queries.public_replies(ticket=ticket)],
    }
