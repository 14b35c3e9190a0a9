"""Background tasks of the connector: thin wrappers, each taking an id, safe to run twice."""

from __future__ import annotations

from tandem.core.tasks import task


@task()
def webhook_event_process_task(event_id: int) -> str:
    from tandem.connectors.meta.webhooks import webhook_event_process

    return webhook_event_process(event_id=event_id)


@task()
def outbound_call_perform_task(call_id: str) -> str:
    from tandem.connectors.outbound import outbound_perform

    return outbound_perform(call_id=call_id)
