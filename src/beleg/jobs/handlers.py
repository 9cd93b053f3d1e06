"""What background work the outbox carries: one handler per topic (DESIGN.md "Background work").

A service that wants work done after its change commits enqueues an outbox event in its own
transaction (``db/outbox.py`` ``enqueue``/``enqueue_many``) with a topic registered here. The
worker then runs the handler: in-process on SQLite, as one procrastinate job per event on
PostgreSQL (``jobs/queue.py``). Adding a kind of background work is one line here.

A handler is ``(db, tenant_id, payload, clock) -> None``. It runs outside any transaction and
opens its own short ones; it must be idempotent (a killed worker's event is worked again) and
raise to ask for a retry (the error is recorded on the event).
"""

from __future__ import annotations

from beleg.db.outbox import Handler
from beleg.services.billing.runs import CHUNK_TOPIC, work_chunk_event
from beleg.services.documents.einvoice_workflow import render_files_event
from beleg.services.documents.pdf import RENDER_TOPIC

HANDLERS: dict[str, Handler] = {
    RENDER_TOPIC: render_files_event,  # a finalised document's PDF, then its e-invoice
    CHUNK_TOPIC: work_chunk_event,  # a chunk of a billing run started with wait: false
}
# The task queue's priorities (higher first; 0 for the rest): a billing run's chunks go before
# the PDFs of the documents the run issues, which would otherwise queue ahead of them.
PRIORITIES: dict[str, int] = {CHUNK_TOPIC: 10}
