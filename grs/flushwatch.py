"""Per-process copies of reference data (SMS place names, USSD lists), forgotten when this process changes
what they hold: a copy notes the `generation` it was made in, and a flush that adds, deletes or changes a row
of the watched models bumps it (`forget`), and so does the end of that transaction (a copy read inside it may
hold rows it rolled back). Other processes see the change when their copy's time runs out."""
from __future__ import annotations

import threading
import sqlalchemy as sa
from sqlalchemy.orm import Session


class FlushWatch:
    def __init__(self, key: str, models: tuple[type, ...]):
        self.key, self.models = key, models
        self.generation = 0  # a copy made in an earlier generation is read again
        self._listening = False
        self._lock = threading.Lock()

    def forget(self) -> None:
        """Every copy made so far is read again on its next use."""
        with self._lock:
            self.generation += 1

    def start(self) -> None:
        """Listen to every session's flushes (idempotent)."""
        if self._listening:
            return
        with self._lock:
            if not self._listening:
                sa.event.listen(Session, "after_flush", self._after_flush)
                sa.event.listen(Session, "after_transaction_end", self._after_transaction_end)
                self._listening = True

    def _after_flush(self, session: Session, _flush_context) -> None:
        models = self.models
        if any(isinstance(o, models) for o in (*session.new, *session.deleted)) or any(
                isinstance(o, models) and session.is_modified(o, include_collections=False) for o in session.dirty):
            session.info[self.key] = True
            self.forget()

    def _after_transaction_end(self, session: Session, transaction) -> None:
        if session.info.get(self.key):
            self.forget()
            if transaction.parent is None:
                del session.info[self.key]
