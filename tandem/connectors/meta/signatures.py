"""Webhook signatures: ``X-Hub-Signature-256: sha256=<hex>``.

Meta signs every webhook POST with HMAC-SHA256 over the request body, keyed with the secret of
the app whose webhook fired, and sends the lowercase hex digest after ``sha256=``.
https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks
https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/create-webhook-endpoint

Two rules follow from Meta's documentation and from other people's bugs:

* Hash the **raw request bytes**. Meta computes the digest over the bytes it sends (escaped
  unicode, its own separators); a re-serialised ``json.dumps(...)`` differs as soon as a customer
  writes a non-ASCII character.
* Several secrets may be valid at once: with "Instagram API with Instagram Login" the app has a
  separate Instagram app secret, and rotating a secret needs a period where both work.
  https://developers.facebook.com/docs/instagram-platform/overview

The legacy ``X-Hub-Signature: sha1=…`` header is deliberately not supported.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

__all__ = ["SIGNATURE_HEADER", "SIGNATURE_PREFIX", "sign", "verify_signature"]

#: The header Meta sends; Django exposes it as ``request.META["HTTP_X_HUB_SIGNATURE_256"]``.
SIGNATURE_HEADER = "X-Hub-Signature-256"
SIGNATURE_PREFIX = "sha256="

_HEX_DIGITS = frozenset("0123456789abcdef")
_DIGEST_HEX_LENGTH = hashlib.sha256().digest_size * 2


def sign(body: bytes, secret: str) -> str:
    """Return the ``X-Hub-Signature-256`` header value Meta would send for ``body``.

    Used by the Meta emulator, the traffic simulator and tests. An empty secret is refused
    (``ValueError``): a blank key is a configuration error, not a signature.
    """
    if not secret:
        raise ValueError("refusing to sign with an empty secret")
    digest = hmac.new(secret.encode("utf-8"), bytes(body), hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def _parse_header(header: object) -> str | None:
    """The lowercase hex digest in ``header``, or None when the header is malformed."""
    if not isinstance(header, str):
        return None
    value = header.strip()
    if value[: len(SIGNATURE_PREFIX)].lower() != SIGNATURE_PREFIX:
        return None
    digest = value[len(SIGNATURE_PREFIX) :].lower()
    if len(digest) != _DIGEST_HEX_LENGTH or not _HEX_DIGITS.issuperset(digest):
        return None
    return digest


def verify_signature(*, body: bytes, header: str | None, secrets: Sequence[str]) -> bool:
    """True when ``header`` is a valid signature of ``body`` under any of ``secrets``.

    Contract:

    * ``body`` is the raw request body, exactly as received.
    * ``header`` is the ``X-Hub-Signature-256`` value (None when absent). A missing, malformed
      or wrongly sized header gives False; this function never raises on header content.
    * Empty secrets are ignored, so a blank configuration never validates anything; with no
      usable secret the answer is False.
    * Comparison is constant-time (``hmac.compare_digest``), and every secret is tried even
      after a match so that timing does not reveal which secret signed the body.
    """
    expected = _parse_header(header)
    if expected is None:
        return False
    if not isinstance(body, bytes | bytearray | memoryview):
        return False
    payload = bytes(body)
    matched = False
    for secret in secrets:
        if not isinstance(secret, str) or not secret:
            continue
        candidate = hmac.new(secret.encode("utf-8"), payload, hashlib.sha256).hexdigest()
        # Both sides are ASCII hex of equal length, which compare_digest requires for str.
        matched = hmac.compare_digest(candidate, expected) or matched
    return matched
