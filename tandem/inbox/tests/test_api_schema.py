"""The committed OpenAPI schema (docs/api/openapi.json) is the API's live schema."""

import difflib
import json
from pathlib import Path

from config.api import openapi_document

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "api" / "openapi.json"


def test_committed_openapi_schema_is_up_to_date():
    live = openapi_document()
    committed = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
    if live != committed:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                live.splitlines(keepends=True),
                "docs/api/openapi.json (committed)",
                "live schema",
                n=2,
            )
        )
        raise AssertionError(
            "The JSON API changed but docs/api/openapi.json did not. Run `make openapi` and "
            "commit the result (review the diff: clients depend on it).\n" + diff[:6000]
        )


def test_schema_describes_the_contract():
    schema = json.loads(openapi_document())
    assert schema["info"] == {
        "title": "Tandem API",
        "version": "1",
        "description": schema["info"]["description"],
    }
    paths = {(path, method) for path, item in schema["paths"].items() for method in item}
    assert paths == {
        ("/api/v1/conversations", "get"),
        ("/api/v1/conversations/{conversation_id}", "get"),
        ("/api/v1/conversations/{conversation_id}/messages", "get"),
        ("/api/v1/conversations/{conversation_id}/messages", "post"),
        ("/api/v1/customer-links", "post"),
        ("/api/v1/customer-links/contacts/{contact_id}", "delete"),
        ("/api/v1/contacts/{contact_id}/export", "get"),
        ("/api/v1/contacts/{contact_id}/erase", "post"),
    }
    for item in schema["paths"].values():
        for operation in item.values():
            assert operation["security"] == [{"TokenAuth": []}]
            assert "401" in operation["responses"]
