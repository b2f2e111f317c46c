"""Encryption at rest of sensitive form fields (phone, ID card number marked ``encrypted``).

A value is stored in ``ticket.data`` as ``{"$enc": "v1.<nonce+ciphertext, base64url>", "$hash":
"<hex>"}``: AES-256-GCM with a fresh 96-bit nonce and the field key as associated data (a value
cannot be moved to another field unnoticed), and beside it a keyed hash (HMAC-SHA256) of the
plain value for exact-match search and uniqueness without decrypting.

Both keys are derived with HKDF-SHA256 from ``settings.FIELD_ENCRYPTION_KEY``
(``CD_FIELD_ENCRYPTION_KEY``) or, when that is unset, from ``SECRET_KEY`` — so changing the secret
key without setting the field key makes stored values unreadable: set ``CD_FIELD_ENCRYPTION_KEY``
in production and keep it with the backups.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

VERSION = "v1"
ENC, HASH = "$enc", "$hash"


class DecryptionFailed(Exception):
    """The value was sealed with another key (or tampered with)."""


@lru_cache(maxsize=4)
def _keys(master: str) -> tuple[bytes, bytes]:
    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"complaintdesk-fields", info=info).derive(
            master.encode("utf-8"))

    return derive(b"field-encryption-v1"), derive(b"field-search-hash-v1")


def _master() -> str:
    return str(getattr(settings, "FIELD_ENCRYPTION_KEY", None) or settings.SECRET_KEY)


def blind_index(field_key: str, plain: str) -> str:
    """The keyed hash stored beside an encrypted value (search for exactly ``plain``)."""
    _, hash_key = _keys(_master())
    return hmac.new(hash_key, f"{field_key}\x00{plain}".encode(), hashlib.sha256).hexdigest()


def seal(field_key: str, plain: str) -> dict[str, str]:
    enc_key, _ = _keys(_master())
    nonce = os.urandom(12)
    ciphertext = AESGCM(enc_key).encrypt(nonce, plain.encode("utf-8"), field_key.encode())
    token = base64.urlsafe_b64encode(nonce + ciphertext).decode().rstrip("=")
    return {ENC: f"{VERSION}.{token}", HASH: blind_index(field_key, plain)}


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get(ENC), str)


def unseal(field_key: str, value: dict[str, Any]) -> str:
    version, _, token = str(value[ENC]).partition(".")
    if version != VERSION:
        raise DecryptionFailed(f"unknown format {version[:8]!r}")
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    enc_key, _ = _keys(_master())
    try:
        return AESGCM(enc_key).decrypt(raw[:12], raw[12:], field_key.encode()).decode("utf-8")
    except (InvalidTag, ValueError) as exc:
        raise DecryptionFailed(str(exc)) from exc


def mask(plain: str) -> str:
    """``13812345678`` → ``138****5678``; ``110101199003071234`` → ``110***********1234``."""
    if len(plain) <= 7:
        return "*" * len(plain)
    return plain[:3] + "*" * (len(plain) - 7) + plain[-4:]
