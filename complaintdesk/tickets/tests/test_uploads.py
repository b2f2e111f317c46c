"""Uploads for form file fields: sniffing, EXIF orientation and location stripping, turning
references into attachments on ticket creation (signed-in and public), reuse and cleanup."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from complaintdesk.forms.models import Form
from complaintdesk.tickets.models import Attachment, Ticket, Upload
from complaintdesk.tickets.tasks import delete_stale_uploads
from complaintdesk.tickets.uploads import do_create_upload

pytestmark = pytest.mark.django_db

ORIENTATION, GPS_IFD = 0x0112, 0x8825
PUBLIC_VALUES = {"contact_name": "赵六", "contact_phone": "13900139000", "complaint_type": "logistics",
                 "subject": "包裹破损", "description": "外箱压坏，商品碎了。", "expectation": "apology", "agree": True}


@pytest.fixture(autouse=True)
def _clean_cache(media_root):
    cache.clear()
    yield
    cache.clear()


def photo(orientation: int = 6) -> bytes:
    """A 40x20 JPEG whose EXIF says "rotate 90°" and carries a GPS position (Shanghai)."""
    img = Image.new("RGB", (40, 20), (200, 10, 10))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _image(content: bytes) -> Image.Image:
    return Image.open(io.BytesIO(content))


def _stored(upload: Upload | Attachment) -> bytes:
    with upload.file.open("rb") as fh:
        return fh.read()


def _version(key: str):
    return Form.objects.get(key=key).versions.get(status="published")


def _upload(api, name: str, content: bytes, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return api.upload(f"uploads?{query}" if query else "uploads", name, content)


def test_upload_fixes_orientation_and_strips_gps(org):
    response = _upload(org.client(org.agent_a), "IMG_0001.jpg", photo())
    assert response.status_code == 201, response.content
    body = response.json()
    upload = Upload.objects.get(token=body["id"])
    assert body == {"id": upload.token, "name": "IMG_0001.jpg", "size": upload.size, "content_type": "image/jpeg"}
    assert upload.uploaded_by == org.agent_a and upload.consumed_by is None
    stored = _image(_stored(upload))
    assert stored.size == (20, 40)  # rotated as the EXIF said
    exif = stored.getexif()
    assert exif.get(ORIENTATION) is None
    assert not dict(exif.get_ifd(GPS_IFD))


def test_keep_location_field_keeps_gps(org):
    version = _version("onsite_service")
    response = _upload(org.client(org.agent_a), "site.jpg", photo(), form_version_id=version.pk, field="photos")
    assert response.status_code == 201, response.content
    stored = _image(_stored(Upload.objects.get(token=response.json()["id"])))
    assert stored.size == (20, 40)
    assert stored.getexif().get(ORIENTATION) is None
    assert dict(stored.getexif().get_ifd(GPS_IFD))[2] == (31.0, 14.0, 0.0)


def test_renamed_executable_and_bad_requests_are_refused(org):
    api = org.client(org.agent_a)
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
    response = _upload(api, "photo.jpg", exe)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "validation_error"
    # A field that accepts images only refuses a PDF.
    version = _version("onsite_service")
    response = _upload(api, "a.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n", form_version_id=version.pk, field="photos")
    assert response.status_code == 422, response.content
    response = _upload(api, "a.jpg", photo(), form_version_id=version.pk, field="no_such_field")
    assert response.status_code == 422 and response.json()["details"] == {"field": "no_such_field"}
    assert not Upload.objects.exists()


def test_upload_needs_ticket_create(org):
    response = _upload(org.client(org.nobody), "a.jpg", photo())
    assert response.status_code == 403, response.content
    assert _upload(org.client(None), "a.jpg", photo()).status_code == 401


def test_ticket_with_reference_gets_the_attachment_and_token_reuse_is_refused(org, frozen_clock):
    api = org.client(org.agent_a)
    ref = _upload(api, "破损.jpg", photo()).json()
    version = _version("product_quality")
    values = _product_quality_values(version, photos=[ref])
    response = api.post("tickets", {"subject": "批次质量问题", "form_version_id": version.pk, "data": values})
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(pk=response.json()["id"])
    attachment = ticket.attachments.get()
    assert (attachment.name, attachment.content_type, attachment.uploaded_by) == ("破损.jpg", "image/jpeg", org.agent_a)
    stored_ref = ticket.data["photos"][0]
    assert stored_ref == {**ref, "attachment_id": attachment.pk, "size": attachment.size}
    assert not dict(_image(_stored(attachment)).getexif().get_ifd(GPS_IFD))
    upload = Upload.objects.get(token=ref["id"])
    assert upload.consumed_by == ticket
    # The same token again: 422 naming the field, and nothing stored.
    count = Ticket.objects.count()
    again = api.post("tickets", {"subject": "再来一次", "form_version_id": version.pk, "data": values})
    assert again.status_code == 422, again.content
    assert again.json()["details"]["errors"]["photos"][0]["code"] == "upload_consumed"
    assert Ticket.objects.count() == count and Attachment.objects.count() == 1


def test_unknown_and_foreign_tokens_are_refused(org, frozen_clock):
    version = _version("product_quality")
    theirs = _upload(org.client(org.agent_b), "b.jpg", photo()).json()
    api = org.client(org.agent_a)
    for ref in ({"id": "no-such-token"}, theirs):
        values = _product_quality_values(version, photos=[ref])
        response = api.post("tickets", {"subject": "x", "form_version_id": version.pk, "data": values})
        assert response.status_code == 422, response.content
        assert response.json()["details"]["errors"]["photos"][0]["code"] == "upload_not_found"
    assert not Ticket.objects.exists()


def test_public_submission_with_a_photo_creates_an_attachment(org, frozen_clock):
    anon = Client(REMOTE_ADDR="203.0.113.7")
    response = anon.post("/api/v1/public/forms/general/uploads?field=photos",
                         {"file": SimpleUploadedFile("现场.jpg", photo())})
    assert response.status_code == 201, response.content
    ref = response.json()
    upload = Upload.objects.get(token=ref["id"])
    assert (upload.public, upload.client_ip, upload.uploaded_by) == (True, "203.0.113.7", None)

    # Another IP cannot use it.
    other = Client(REMOTE_ADDR="198.51.100.1")
    response = other.post("/api/v1/public/forms/general/submissions",
                          json.dumps({"values": {**PUBLIC_VALUES, "photos": [ref]}}), content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["details"]["errors"]["photos"][0]["code"] == "upload_not_found"

    response = anon.post("/api/v1/public/forms/general/submissions",
                         json.dumps({"values": {**PUBLIC_VALUES, "photos": [ref]}}), content_type="application/json")
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(number=response.json()["number"])
    attachment = ticket.attachments.get()
    assert attachment.content_type == "image/jpeg" and attachment.uploaded_by is None
    assert ticket.data["photos"][0]["attachment_id"] == attachment.pk
    assert _image(_stored(attachment)).size == (20, 40)


def test_public_upload_limits(org, settings):
    anon = Client(REMOTE_ADDR="203.0.113.9")
    url = "/api/v1/public/forms/general/uploads?field=photos"
    settings.PUBLIC_UPLOAD_MAX_BYTES = 100
    response = anon.post(url, {"file": SimpleUploadedFile("big.jpg", photo())})
    assert response.status_code == 413, response.content
    settings.PUBLIC_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    settings.PUBLIC_UPLOADS_PER_MINUTE = 2
    cache.clear()  # the refused upload counted too
    codes = [anon.post(url, {"file": SimpleUploadedFile("a.jpg", photo())}).status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    assert anon.post("/api/v1/public/forms/nope/uploads?field=photos",
                     {"file": SimpleUploadedFile("a.jpg", photo())}).status_code in (404, 429)


def test_cleanup_job_removes_stale_uploads(org, frozen_clock):
    old = do_create_upload(content=photo(), name="old.jpg", actor=org.agent_a)
    old_path = old.file.path
    frozen_clock.advance(timedelta(hours=23))
    fresh = do_create_upload(content=photo(), name="fresh.jpg", actor=org.agent_a)
    frozen_clock.advance(timedelta(hours=2))
    assert delete_stale_uploads.call_local() == 1
    assert list(Upload.objects.values_list("pk", flat=True)) == [fresh.pk]
    import os

    assert not os.path.exists(old_path) and os.path.exists(fresh.file.path)


def test_an_expired_upload_cannot_be_used(org, frozen_clock):
    api = org.client(org.agent_a)
    ref = _upload(api, "a.jpg", photo()).json()
    frozen_clock.advance(timedelta(hours=25))
    version = _version("product_quality")
    response = api.post("tickets", {"subject": "x", "form_version_id": version.pk,
                                    "data": _product_quality_values(version, photos=[ref])})
    assert response.status_code == 422, response.content
    assert response.json()["details"]["errors"]["photos"][0]["code"] == "upload_not_found"


def _product_quality_values(version, **extra):
    values = {"contact_name": "张三", "contact_phone": "13800138000", "product": {"id": version.pk and _product_id()},
              "batch_number": "B20260105", "purchase_date": "2026-01-05", "defects": ["broken"],
              "description": "收到时屏幕已经碎裂，无法开机使用。", "expectation": "repair"}
    return {**values, **extra}


def _product_id():
    from complaintdesk.customers.models import Product

    return Product.objects.order_by("pk").values_list("pk", flat=True).first()


def _well_formed(response, what):
    assert response.status_code < 500, (what, response.status_code, response.content[:300])
    if response.status_code >= 400:
        payload = response.json()
        assert {"code", "message", "details"} <= set(payload), (what, payload)


def test_junk_never_breaks_the_upload_endpoints(org, settings):
    from hypothesis import HealthCheck, given
    from hypothesis import settings as hsettings
    from hypothesis import strategies as st

    settings.PUBLIC_UPLOADS_PER_MINUTE = 0  # no limit: every example reaches the handler
    api = org.client(org.agent_a)
    anon = Client(REMOTE_ADDR="203.0.113.50")
    boundary = "t2-boundary-7MA4YWxkTrZu0gW"

    @hsettings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(content=st.one_of(st.binary(max_size=600), st.sampled_from([b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0",
                                                                      b"RIFF\x00\x00\x00\x00WEBP", b"MZ\x90"])),
           name=st.one_of(st.text(max_size=30), st.sampled_from(["a.jpg", "../../x.png", ".", ""])),
           query=st.sampled_from(["", "?field=photos", "?field=", "?field=agree", "?form_version_id=x&field=a",
                                  "?form_version_id=99999999999999999999&field=photos"]),
           as_json=st.booleans())
    def run(content, name, query, as_json):
        for client, url, headers in ((api.client, f"/api/v1/uploads{query}", api.headers),
                                     (anon, f"/api/v1/public/forms/general/uploads{query}", {})):
            if as_json:
                response = client.generic("POST", url, b'{"file": 1}', content_type="application/json", **headers)
            else:
                raw = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                       "Content-Type: image/jpeg\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
                response = client.generic("POST", url, raw, content_type=f"multipart/form-data; boundary={boundary}",
                                          **headers)
            _well_formed(response, (url, name, content[:40]))

    run()


HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64


def test_images_whose_location_cannot_be_removed_are_refused(org):
    """HEIC can carry GPS tags that we cannot strip without a plug-in: refuse rather than leak them."""
    api = org.client(org.agent_a)
    response = _upload(api, "IMG_0001.heic", HEIC)
    assert response.status_code == 422, response.content
    assert response.json()["details"] == {"file": "image/heic"}
    assert not Upload.objects.exists()
