"""Tables of automation-services (created idempotently on first use)."""
import threading

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS workflows (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    steps       JSONB NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS workflow_runs (
    id           TEXT PRIMARY KEY,
    workflow_id  TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
    status       TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    results      JSONB NOT NULL DEFAULT '[]',
    started_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS workflow_runs_by_workflow ON workflow_runs (workflow_id, started_at DESC);
CREATE TABLE IF NOT EXISTS files (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    size          BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
"""


class MigratedDatabase:
    """common's db.Database that applies SCHEMA_SQL before its first transaction.

    Lazy rather than only at start-up: a service started while postgres was briefly unreachable
    heals on the next request instead of failing every query on a missing table.
    """

    def __init__(self, database, name: str = "automation-services"):
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
