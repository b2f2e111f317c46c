"""Attachments: the type comes from the bytes, not the name; limits; download headers; scope."""

from __future__ import annotations

import hashlib
import struct
import zlib

import pytest
from django.test import override_settings

from complaintdesk.tickets.models import Attachment, TicketEvent

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    """A valid 1×1 grey PNG, built by hand (Pillow is not a dependency)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1×1, 8-bit greyscale
    pixels = zlib.compress(b"\x00\x80")  # filter byte + one pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


# The start of a JFIF file (SOI + APP0) and its end marker: what sniffers look at.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
# A DOS/PE executable starts with "MZ".
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 64


@pytest.fixture
def ticket(org, frozen_clock, make_ticket):
    return make_ticket(actor=org.supervisor, department=org.after_sales)


@pytest.fixture
def api(org):
    return org.client(org.supervisor)


def _stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def _download(api, url):
    response = api.get(url)
    assert response.status_code == 200
    # Consuming the stream closes the file (the test client closes the response at its end).
    content = b"".join(response.streaming_content)
    return response, content


def test_png_upload_is_sniffed_and_stored(org, api, ticket, media_root):
    png = _png()
    response = api.upload(f"tickets/{ticket.pk}/attachments", "屏幕照片.png", png)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == "image/png"
    assert body["size"] == len(png)
    assert body["sha256"] == hashlib.sha256(png).hexdigest()
    assert body["name"] == "屏幕照片.png"
    assert body["uploaded_by"]["username"] == "supervisor"
    assert body["url"] == f"/api/v1/tickets/{ticket.pk}/attachments/{body['id']}/download"
    [stored] = _stored_files(media_root)
    assert stored.read_bytes() == png
    [listed] = api.get(f"tickets/{ticket.pk}/attachments").json()
    assert listed == body
    [event] = TicketEvent.objects.filter(ticket=ticket, type="attachment_added")
    assert event.data == {"attachment_id": body["id"], "name": "屏幕照片.png", "size": len(png),
                          "content_type": "image/png"}


def test_the_name_does_not_decide_the_type(org, api, ticket, media_root):
    response = api.upload(f"tickets/{ticket.pk}/attachments", "photo.png", JPEG)
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "image/jpeg"
    response = api.upload(f"tickets/{ticket.pk}/attachments", "no-extension", _png())
    assert response.json()["content_type"] == "image/png"


@pytest.mark.parametrize(("name", "content"), [
    ("invoice.jpg", EXE),
    ("invoice.exe", EXE),
    ("page.txt", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
    ("page.txt", b"\n   <html><body>hi</body></html>"),
    ("page.txt", b"<HTML><BODY>upper case</BODY></HTML>"),
    ("x.txt", b"<script>alert(1)</script>"),
    ("x.csv", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
    ("script.sh", b"#!/bin/sh\nrm -rf /\n"),
    ("data.txt", b"\x00\x01\xff\xfe\x80binary"),
])
def test_disallowed_content_is_422_and_nothing_is_kept(org, api, ticket, media_root, name, content):
    response = api.upload(f"tickets/{ticket.pk}/attachments", name, content)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "validation_error"
    assert "file" in body["details"]
    assert not Attachment.objects.exists()
    assert _stored_files(media_root) == []
    assert not TicketEvent.objects.filter(type="attachment_added").exists()


def test_exe_is_named_in_the_refusal(org, api, ticket, media_root):
    body = api.upload(f"tickets/{ticket.pk}/attachments", "invoice.jpg", EXE).json()
    assert body["details"]["file"] == "application/x-msdownload"


@pytest.mark.parametrize("name", ["说明.txt", "export.csv", "mail.eml", "UPPER.TXT"])
def test_plain_utf8_text_is_text_plain(org, api, ticket, media_root, name):
    content = "客户来电：屏幕碎裂，要求换新。\nline 2, ünïcode\n".encode()
    response = api.upload(f"tickets/{ticket.pk}/attachments", name, content)
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "text/plain"


def test_empty_file_is_422(org, api, ticket, media_root):
    response = api.upload(f"tickets/{ticket.pk}/attachments", "empty.txt", b"")
    assert response.status_code == 422, response.content
    assert response.json()["details"] == {"file": "empty"}
    assert not Attachment.objects.exists()


def test_size_limit(org, api, ticket, media_root):
    with override_settings(ATTACHMENT_MAX_BYTES=100):
        at_limit = api.upload(f"tickets/{ticket.pk}/attachments", "a.txt", b"a" * 100)
        assert at_limit.status_code == 201, at_limit.content
        over = api.upload(f"tickets/{ticket.pk}/attachments", "b.txt", b"a" * 101)
        assert over.status_code == 422, over.content
        assert over.json()["details"] == {"file": "max 100 bytes"}
        png = api.upload(f"tickets/{ticket.pk}/attachments", "big.png", _png() + b"\x00" * 200)
        assert png.status_code == 422
    assert Attachment.objects.count() == 1
    assert len(_stored_files(media_root)) == 1


def test_missing_file_field_is_422(org, api, ticket, media_root):
    response = api.client.post(f"/api/v1/tickets/{ticket.pk}/attachments", {"other": "x"}, **api.headers)
    assert response.status_code == 422, response.content
    response = api.post(f"tickets/{ticket.pk}/attachments", {"file": "not a file"})
    assert 400 <= response.status_code < 500


def test_download_returns_the_bytes_safely(org, api, ticket, media_root):
    png = _png()
    attachment = api.upload(f"tickets/{ticket.pk}/attachments", "照片 1.png", png).json()
    response, content = _download(api, attachment["url"])
    assert content == png
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%E7%85%A7%E7%89%87%201.png" in disposition


def test_text_download_is_an_attachment_not_a_page(org, api, ticket, media_root):
    attachment = api.upload(f"tickets/{ticket.pk}/attachments", "note.txt", b"hello").json()
    response, content = _download(api, attachment["url"])
    assert content == b"hello"
    assert response["Content-Type"].startswith("text/plain")
    assert response["Content-Disposition"] == 'attachment; filename="note.txt"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_file_names_cannot_escape_the_media_folder(org, api, ticket, media_root):
    response = api.upload(f"tickets/{ticket.pk}/attachments", "../../../etc/passwd.txt", b"root:x:0:0")
    assert response.status_code == 201, response.content
    assert "/" not in response.json()["name"] and "\\" not in response.json()["name"]
    [stored] = _stored_files(media_root)
    assert media_root in stored.resolve().parents


def test_two_uploads_of_the_same_name_are_both_kept(org, api, ticket, media_root):
    first = api.upload(f"tickets/{ticket.pk}/attachments", "a.txt", b"one").json()
    second = api.upload(f"tickets/{ticket.pk}/attachments", "a.txt", b"two").json()
    assert first["id"] != second["id"]
    assert _download(api, first["url"])[1] == b"one"
    assert _download(api, second["url"])[1] == b"two"


def test_a_user_outside_the_scope_gets_404(org, api, ticket, media_root):
    attachment = api.upload(f"tickets/{ticket.pk}/attachments", "a.png", _png()).json()
    for user in (org.agent_a, org.repair_handler):
        outsider = org.client(user)
        assert outsider.get(attachment["url"]).status_code == 404
        assert outsider.get(f"tickets/{ticket.pk}/attachments").status_code == 404
        assert outsider.upload(f"tickets/{ticket.pk}/attachments", "b.png", _png()).status_code == 404
    assert org.client(org.handler).get(attachment["url"]).status_code == 200
    assert Attachment.objects.count() == 1


def test_auditor_may_download_but_not_upload(org, api, ticket, media_root):
    attachment = api.upload(f"tickets/{ticket.pk}/attachments", "a.png", _png()).json()
    auditor = org.client(org.auditor)
    assert _download(auditor, attachment["url"])[1] == _png()
    response = auditor.upload(f"tickets/{ticket.pk}/attachments", "b.png", _png())
    assert response.status_code == 403
    assert response.json()["details"] == {"permission": "ticket.comment"}


def test_unknown_attachment_is_404(org, api, ticket, media_root):
    assert api.get(f"tickets/{ticket.pk}/attachments/999999/download").status_code == 404
