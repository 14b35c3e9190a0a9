"""Encryption of secrets at rest (social accounts' access tokens).

Keys come from ``TANDEM_ENCRYPTION_KEYS``: Fernet keys, newest first. Encryption always uses the
newest key; decryption tries each, so keys can be rotated: add the new key in front, run
``tandem rotate_tokens`` (re-encrypts every secret with the newest key), then drop the old key.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class EncryptionError(Exception):
    """No key is configured, or a ciphertext cannot be decrypted with any configured key."""


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise EncryptionError(
            "TANDEM_ENCRYPTION_KEYS is empty: set at least one Fernet key to store secrets."
        )
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as error:
        raise EncryptionError(
            "TANDEM_ENCRYPTION_KEYS holds a malformed key (32 url-safe base64 bytes expected)."
        ) from error


def cipher() -> MultiFernet:
    return _cipher(tuple(settings.TANDEM_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return cipher().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return cipher().decrypt(ciphertext.encode()).decode()
    except InvalidToken as error:
        raise EncryptionError("The secret cannot be decrypted with the configured keys.") from error


def rotate(ciphertext: str) -> str:
    """The same secret, encrypted with the newest key."""
    try:
        return cipher().rotate(ciphertext.encode()).decode()
    except InvalidToken as error:
        raise EncryptionError("The secret cannot be decrypted with the configured keys.") from error
