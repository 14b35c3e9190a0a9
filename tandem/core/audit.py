"""The audit trail: append-only entries chained by hashes (see ``AuditEntry``).

``audit_record`` runs inside the caller's transaction, so an action and its entry commit
together. Appends to one chain are serialised (a PostgreSQL advisory lock per chain; SQLite
transactions are already serial), and the unique (chain, sequence) constraint refuses a fork.
Entries never hold message bodies or secrets: ids, kinds and short facts only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from tandem.core.actors import Actor
from tandem.core.models import AuditChainHead, AuditEntry

GENESIS = "0" * 64
_ADVISORY_NAMESPACE = 0x7A4D  # "tandem audit": keeps our advisory locks apart from others'


def _canonical(entry: AuditEntry) -> bytes:
    body = {
        "chain": entry.chain,
        "sequence": entry.sequence,
        "occurred_at": entry.occurred_at.isoformat(),
        "actor_user_id": entry.actor_user_id,
        "actor_label": entry.actor_label,
        "regional_bank_id": entry.regional_bank_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "data": entry.data,
        "previous_hash": entry.previous_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def compute_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def audit_record(
    *,
    actor: Actor | None,
    action: str,
    regional_bank_id: int | None = None,
    object_type: str = "",
    object_id: object = "",
    data: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEntry:
    """Append one entry (``action`` like ``inbox.conversation.transferred``)."""
    chain = int(regional_bank_id or 0)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_ADVISORY_NAMESPACE, chain])
        last = (
            AuditEntry.objects.filter(chain=chain)
            .order_by("-sequence")
            .values_list("sequence", "entry_hash")
            .first()
        )
        sequence, previous = (last[0] + 1, last[1]) if last else (1, GENESIS)
        entry = AuditEntry(
            chain=chain,
            sequence=sequence,
            occurred_at=timezone.now(),
            actor_user_id=actor.user_id if actor else None,
            actor_label=(actor_label or ("system" if actor is None else ""))[:200],
            regional_bank_id=regional_bank_id,
            action=action[:80],
            object_type=object_type[:60],
            object_id=str(object_id)[:64],
            data=json.loads(json.dumps(data or {}, default=str)),
            previous_hash=previous,
        )
        entry.entry_hash = compute_hash(entry)
        entry.save()
        AuditChainHead.objects.update_or_create(
            chain=chain, defaults={"sequence": sequence, "entry_hash": entry.entry_hash}
        )
    return entry


@dataclass(frozen=True)
class ChainProblem:
    chain: int
    sequence: int
    reason: str


def audit_verify() -> Iterator[ChainProblem]:
    """Every break in every chain: an edited entry, a deleted one, a forged hash."""
    heads = dict(AuditChainHead.objects.values_list("chain", "entry_hash"))
    chains = set(AuditEntry.objects.values_list("chain", flat=True).distinct()) | set(heads)
    for chain in sorted(chains):
        previous_hash = GENESIS
        expected_sequence = 1
        for entry in AuditEntry.objects.filter(chain=chain).order_by("sequence").iterator(2000):
            if entry.sequence != expected_sequence:
                yield ChainProblem(
                    chain,
                    expected_sequence,
                    f"entries {expected_sequence} to {entry.sequence - 1} are missing",
                )
            if entry.previous_hash != previous_hash:
                yield ChainProblem(chain, entry.sequence, "does not follow the previous entry")
            if compute_hash(entry) != entry.entry_hash:
                yield ChainProblem(chain, entry.sequence, "content was changed")
            previous_hash = entry.entry_hash
            expected_sequence = entry.sequence + 1
        if heads.get(chain, previous_hash) != previous_hash:
            yield ChainProblem(chain, expected_sequence, "the last entries were removed")
