"""The compliance JSON API: a person's data, exported or erased (GDPR art. 15, 20 and 17).

For compliance officers and administrators covering the contact's regional bank; anyone else
gets a 404, as for an id that exists nowhere. Mounted at the API root by ``config/api.py``:

- ``GET /contacts/{id}/export`` — the JSON document of ``privacy.contact_export`` (audited)
- ``POST /contacts/{id}/erase`` ``{"reason"}`` — ``privacy.contact_erase`` (audited)
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Router

from tandem.compliance.privacy import access_privacy_contact, contact_erase, contact_export
from tandem.compliance.schemas import ContactEraseIn, ContactEraseOut, ContactExportOut
from tandem.core.actors import Actor
from tandem.core.errors import PermissionDenied
from tandem.inbox.schemas import ErrorOut, ValidationErrorOut

router = Router(tags=["personal data"])

READ_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS: dict[int, Any] = {**READ_ERRORS, 400: ErrorOut, 403: ErrorOut}


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "actor", None)
    if not isinstance(actor, Actor):  # the token auth always sets it; never guess otherwise
        raise PermissionDenied("No actor for this request.")
    return actor


@router.get(
    "/contacts/{contact_id}/export",
    response={200: ContactExportOut, **READ_ERRORS},
    summary="Export everything held about a contact",
)
def contact_export_get(request: HttpRequest, contact_id: uuid.UUID) -> ContactExportOut:
    """The contact, the identities merged with it, their linked customer, conversations and
    messages (as stored, masked), webhook events naming them, calls made to them and the audit
    entries about them. The export itself is written to the audit trail."""
    actor = _actor(request)
    contact = access_privacy_contact(actor=actor, contact_id=contact_id)
    return ContactExportOut(**contact_export(actor=actor, contact=contact))


@router.post(
    "/contacts/{contact_id}/erase",
    response={200: ContactEraseOut, **WRITE_ERRORS},
    summary="Erase a contact's personal data",
)
def contact_erase_post(
    request: HttpRequest, contact_id: uuid.UUID, payload: ContactEraseIn
) -> ContactEraseOut:
    """Anonymises the contact's messages, identity, customer link, webhook bodies and calls;
    conversations keep their facts and the audit trail is untouched. Answers the counts.
    A second erasure of the same contact answers 422."""
    actor = _actor(request)
    contact = access_privacy_contact(actor=actor, contact_id=contact_id)
    return ContactEraseOut(
        counts=contact_erase(actor=actor, contact=contact, reason=payload.reason)
    )
