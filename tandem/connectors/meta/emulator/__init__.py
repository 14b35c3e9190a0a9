"""The Meta emulator: Graph API endpoints Tandem calls, answered locally, with Meta's windows,
errors, throttling and signed webhooks back (DESIGN.md, "Meta without the internet").

In-process (tests)::

    emulator = MetaEmulator(EmulatorConfig(app_secret="…", seed=1))
    client = GraphClient(access_token="…", base_url="http://emulator.test", version="v21.0",
                         transport=httpx.MockTransport(emulator.handle))

Over HTTP: ``server.serve(bind, emulator)`` or ``tandem emulator --bind 127.0.0.1:8001``, with
``META_GRAPH_URL`` pointing there.
"""

from tandem.connectors.meta.emulator.config import EmulatorConfig
from tandem.connectors.meta.emulator.delivery import WebhookSink
from tandem.connectors.meta.emulator.emulator import MetaEmulator
from tandem.connectors.meta.emulator.state import CallRecord, WebhookDelivery

__all__ = ["CallRecord", "EmulatorConfig", "MetaEmulator", "WebhookDelivery", "WebhookSink"]
