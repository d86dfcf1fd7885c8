"""Tables of saga-orchestrator (created idempotently on first use)."""
import threading

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS sagas (
    id          TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('running', 'compensating', 'completed', 'compensated', 'failed')),
    payload     JSONB NOT NULL,
    fail_at     TEXT,
    steps       JSONB NOT NULL DEFAULT '[]',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS sagas_unfinished ON sagas (updated_at) WHERE status IN ('running', 'compensating');
CREATE TABLE IF NOT EXISTS saga_notifications (
    id          BIGSERIAL PRIMARY KEY,
    saga_id     TEXT NOT NULL REFERENCES sagas(id) ON DELETE CASCADE,
    recipient   TEXT NOT NULL,
    message     TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
"""


class MigratedDatabase:
    """common's db.Database that applies SCHEMA_SQL before its first transaction.

    Lazy rather than only at start-up: a service started while postgres was briefly unreachable
    heals on the next request instead of failing every query on a missing table.
    """

    def __init__(self, database, name: str = "saga-orchestrator"):
        self._database = database
        self._name = name
        self._migrated = False
        self._lock = threading.Lock()

    def migrate(self) -> None:
        with self._lock:
            if not self._migrated:
                self._database.migrate(self._name, SCHEMA_SQL)
                self._migrated = True

    def transaction(self):
        if not self._migrated:
            self.migrate()
        return self._database.transaction()
