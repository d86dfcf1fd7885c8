"""Saga state in postgres. The payload is stored without its password."""
import uuid
from typing import Any, Dict, List, Optional

import psycopg2.extras

_SECRET_KEYS = {"password"}


def redacted_payload(payload: Dict[str, Any]) -> Dict[str, Any]:
    return {k: ("***" if k in _SECRET_KEYS else v) for k, v in payload.items()}


def _public(row: Dict[str, Any]) -> Dict[str, Any]:
    return {"id": row["id"], "type": row["type"], "status": row["status"], "payload": row["payload"],
            "fail_at": row["fail_at"], "steps": row["steps"],
            "created_at": row["created_at"].isoformat(), "updated_at": row["updated_at"].isoformat()}


class SagaStore:
    def __init__(self, db: Any):
        self._db = db

    def create(self, saga_type: str, payload: Dict[str, Any], fail_at: Optional[str]) -> Dict[str, Any]:
        with self._db.transaction() as cur:
            cur.execute(
                "INSERT INTO sagas (id, type, status, payload, fail_at) VALUES (%s, %s, 'running', %s, %s) RETURNING *",
                (uuid.uuid4().hex, saga_type, psycopg2.extras.Json(redacted_payload(payload)), fail_at),
            )
            return _public(cur.fetchone())

    def save(self, saga: Dict[str, Any]) -> Dict[str, Any]:
        with self._db.transaction() as cur:
            cur.execute(
                "UPDATE sagas SET status = %s, steps = %s, updated_at = now() WHERE id = %s RETURNING *",
                (saga["status"], psycopg2.extras.Json(saga["steps"]), saga["id"]),
            )
            return _public(cur.fetchone())

    def get(self, saga_id: str) -> Optional[Dict[str, Any]]:
        with self._db.transaction() as cur:
            cur.execute("SELECT * FROM sagas WHERE id = %s", (saga_id,))
            row = cur.fetchone()
        return _public(row) if row else None

    def list(self, limit: int = 100, status: Optional[str] = None) -> List[Dict[str, Any]]:
        with self._db.transaction() as cur:
            if status:
                cur.execute("SELECT * FROM sagas WHERE status = %s ORDER BY created_at DESC, id LIMIT %s", (status, limit))
            else:
                cur.execute("SELECT * FROM sagas ORDER BY created_at DESC, id LIMIT %s", (limit,))
            return [_public(row) for row in cur.fetchall()]

    def claim_orphans(self, idle_s: int) -> List[Dict[str, Any]]:
        """Unfinished sagas untouched for `idle_s` seconds (their runner died), marked 'compensating'."""
        with self._db.transaction() as cur:
            cur.execute(
                """UPDATE sagas SET status = 'compensating', updated_at = now()
                   WHERE id IN (SELECT id FROM sagas
                                WHERE status IN ('running', 'compensating')
                                  AND updated_at < now() - make_interval(secs => %s)
                                FOR UPDATE SKIP LOCKED)
                   RETURNING *""",
                (idle_s,),
            )
            return [_public(row) for row in cur.fetchall()]

    def add_notification(self, saga_id: str, recipient: str, message: str) -> int:
        with self._db.transaction() as cur:
            cur.execute(
                "INSERT INTO saga_notifications (saga_id, recipient, message) VALUES (%s, %s, %s) RETURNING id",
                (saga_id, recipient, message),
            )
            return int(cur.fetchone()["id"])
