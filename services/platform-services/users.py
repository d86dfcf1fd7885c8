"""Users in postgres."""
from typing import Any, Dict, Optional

import psycopg2.errors

import db

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id            BIGSERIAL PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT,
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
"""


class DuplicateEmail(Exception):
    pass


class UserStore:
    def __init__(self, database: db.Database):
        self._db = database

    def create_schema(self) -> None:
        self._db.migrate("platform-services", SCHEMA)

    def create(self, email: str, name: Optional[str], password_hash: str) -> Dict[str, Any]:
        try:
            with self._db.transaction() as cur:
                cur.execute("INSERT INTO users (email, name, password_hash) VALUES (%s, %s, %s) "
                            "RETURNING id, email, name", (email, name, password_hash))
                return dict(cur.fetchone())
        except psycopg2.errors.UniqueViolation:
            raise DuplicateEmail(email) from None

    def by_email(self, email: str) -> Optional[Dict[str, Any]]:
        with self._db.transaction() as cur:
            cur.execute("SELECT id, email, name, password_hash FROM users WHERE email = %s", (email,))
            row = cur.fetchone()
            return dict(row) if row else None

    def by_id(self, user_id: int) -> Optional[Dict[str, Any]]:
        with self._db.transaction() as cur:
            cur.execute("SELECT id, email, name, created_at FROM users WHERE id = %s", (user_id,))
            row = cur.fetchone()
            return dict(row) if row else None

    def delete(self, user_id: int) -> bool:
        with self._db.transaction() as cur:
            cur.execute("DELETE FROM users WHERE id = %s", (user_id,))
            return cur.rowcount == 1
