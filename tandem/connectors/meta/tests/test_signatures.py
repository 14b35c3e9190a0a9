"""X-Hub-Signature-256 verification: raw bytes, several secrets, never raising on headers."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.connectors.meta.signatures import SIGNATURE_PREFIX, sign, verify_signature

APP_SECRET = "app-secret-for-tests"
INSTAGRAM_SECRET = "instagram-app-secret-for-tests"
# Non-ASCII on purpose: Meta signs its own (escaped) bytes, never our re-serialisation.
RAW = (
    b'{"object": "page", "entry": [{"id": "1", "text": "D\\u00e9bit refus\\u00e9 \\ud83d\\ude1e"}]}'
)


def reference_signature(body: bytes, secret: str) -> str:
    # The formula Meta documents: "sha256=" + HMAC-SHA256(app secret, body).hexdigest().
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_sign_matches_meta_formula() -> None:
    assert sign(RAW, APP_SECRET) == reference_signature(RAW, APP_SECRET)
    assert sign(RAW, APP_SECRET).startswith(SIGNATURE_PREFIX)


def test_valid_signature_is_accepted() -> None:
    header = sign(RAW, APP_SECRET)
    assert verify_signature(body=RAW, header=header, secrets=[APP_SECRET]) is True


def test_any_configured_secret_is_accepted() -> None:
    header = sign(RAW, INSTAGRAM_SECRET)
    assert verify_signature(body=RAW, header=header, secrets=[APP_SECRET, INSTAGRAM_SECRET])
    assert verify_signature(body=RAW, header=header, secrets=(INSTAGRAM_SECRET, APP_SECRET))


def test_wrong_secret_is_refused() -> None:
    header = sign(RAW, "another-secret")
    assert not verify_signature(body=RAW, header=header, secrets=[APP_SECRET, INSTAGRAM_SECRET])


def test_tampered_body_is_refused() -> None:
    header = sign(RAW, APP_SECRET)
    tampered = RAW.replace(b'"1"', b'"2"')
    assert not verify_signature(body=tampered, header=header, secrets=[APP_SECRET])


def test_reserialised_json_does_not_verify() -> None:
    """Why the raw bytes matter: json.dumps of the parsed body is different bytes."""
    header = sign(RAW, APP_SECRET)
    reserialised = json.dumps(json.loads(RAW), ensure_ascii=False).encode()
    assert reserialised != RAW
    assert not verify_signature(body=reserialised, header=header, secrets=[APP_SECRET])


def test_no_usable_secret_never_validates() -> None:
    header = reference_signature(RAW, "")
    assert not verify_signature(body=RAW, header=header, secrets=[])
    assert not verify_signature(body=RAW, header=header, secrets=[""])
    assert not verify_signature(body=RAW, header=header, secrets=["", ""])


def test_empty_secret_is_skipped_not_fatal() -> None:
    header = sign(RAW, APP_SECRET)
    assert verify_signature(body=RAW, header=header, secrets=["", APP_SECRET])


def test_header_case_and_whitespace_are_tolerated() -> None:
    digest = sign(RAW, APP_SECRET).removeprefix(SIGNATURE_PREFIX)
    for header in (f"  sha256={digest}  ", f"SHA256={digest}", f"sha256={digest.upper()}"):
        assert verify_signature(body=RAW, header=header, secrets=[APP_SECRET]), header


def test_bytearray_and_memoryview_bodies() -> None:
    header = sign(RAW, APP_SECRET)
    assert verify_signature(body=bytearray(RAW), header=header, secrets=[APP_SECRET])
    assert verify_signature(body=memoryview(RAW), header=header, secrets=[APP_SECRET])


def test_empty_body_can_be_signed() -> None:
    assert verify_signature(body=b"", header=sign(b"", APP_SECRET), secrets=[APP_SECRET])


def test_sign_refuses_empty_secret() -> None:
    with pytest.raises(ValueError, match="empty secret"):
        sign(RAW, "")


GOOD_DIGEST = hmac.new(APP_SECRET.encode(), RAW, hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=",
        "sha256",
        GOOD_DIGEST,  # no prefix
        f"sha1={GOOD_DIGEST}",
        f"sha256:{GOOD_DIGEST}",
        f"sha256={GOOD_DIGEST[:-1]}",  # too short
        f"sha256={GOOD_DIGEST}0",  # too long
        f"sha256={GOOD_DIGEST[:-1]}g",  # not hex
        f"sha256={GOOD_DIGEST[:-2]}é1",  # non-ASCII
        f"sha256={GOOD_DIGEST},sha256={GOOD_DIGEST}",
        "sha256=" + "0" * 64,
        "sha256=" + "x" * 100_000,
        pytest.param("\x00" * 71, id="nul-bytes"),
    ],
)
def test_malformed_headers_are_refused(header: str | None) -> None:
    assert verify_signature(body=RAW, header=header, secrets=[APP_SECRET]) is False


@pytest.mark.parametrize("header", [123, b"sha256=00", ["sha256="], {"a": 1}, 1.5])
def test_non_string_headers_are_refused(header: object) -> None:
    assert verify_signature(body=RAW, header=header, secrets=[APP_SECRET]) is False  # type: ignore[arg-type]


@pytest.mark.parametrize("body", ["text", 12, None, ["a"]])
def test_non_bytes_bodies_are_refused(body: object) -> None:
    header = sign(RAW, APP_SECRET)
    assert verify_signature(body=body, header=header, secrets=[APP_SECRET]) is False  # type: ignore[arg-type]


def test_non_string_secrets_are_skipped() -> None:
    header = sign(RAW, APP_SECRET)
    secrets: list[object] = [None, 12, b"bytes", APP_SECRET]
    assert verify_signature(body=RAW, header=header, secrets=secrets)  # type: ignore[arg-type]


@given(body=st.binary(max_size=2048), secret=st.text(min_size=1, max_size=64))
def test_sign_then_verify_roundtrip(body: bytes, secret: str) -> None:
    assert verify_signature(body=body, header=sign(body, secret), secrets=[secret])


@given(body=st.binary(max_size=256), header=st.text(max_size=200))
def test_arbitrary_headers_never_raise(body: bytes, header: str) -> None:
    assert verify_signature(body=body, header=header, secrets=[APP_SECRET]) in (True, False)


@given(body=st.binary(min_size=1, max_size=256), flip=st.integers(min_value=0))
def test_any_single_byte_change_is_detected(body: bytes, flip: int) -> None:
    header = sign(body, APP_SECRET)
    index = flip % len(body)
    changed = body[:index] + bytes([body[index] ^ 0x01]) + body[index + 1 :]
    assert not verify_signature(body=changed, header=header, secrets=[APP_SECRET])
