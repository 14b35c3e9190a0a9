"""Background tasks of the inbox: thin, idempotent, taking ids."""

from __future__ import annotations

from tandem.core.tasks import task


@task()
def queue_dispatch_task(regional_bank_id: int) -> int:
    from tandem.inbox.queue import queue_dispatch

    return queue_dispatch(regional_bank_id=regional_bank_id)
