"""Secrets of channels and webhooks (robot tokens, signing secrets, SMTP passwords), sealed at rest.

The values are sealed with the field-encryption key (``complaintdesk.forms.crypto``: AES-256-GCM,
the secret's purpose as associated data, so a sealed value cannot be moved to another purpose).
They are accepted by the API and never returned: outputs only say which secrets are set.
"""

from __future__ import annotations

from typing import Any

from complaintdesk.forms import crypto


def _purpose(name: str) -> str:
    return f"notifications:{name}"


def seal_secret(name: str, plain: str) -> dict[str, str]:
    """Seal ``plain``; only the ciphertext is kept (no search hash: nothing looks secrets up)."""
    return {crypto.ENC: crypto.seal(_purpose(name), plain)[crypto.ENC]}


def open_secret(name: str, sealed: Any) -> str:
    """The plain secret, or "" when none is set. Raises ``crypto.DecryptionFailed`` for a wrong key."""
    if not crypto.is_sealed(sealed):
        return ""
    return crypto.unseal(_purpose(name), sealed)
