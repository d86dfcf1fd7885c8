"""Postgres (psycopg2, a small thread-safe pool) and Redis connections built from the URLs in settings.

    database = db.Database(settings.database_url)
    database.migrate("platform-services", SCHEMA_SQL)        # idempotent DDL, serialized across services
    with database.transaction() as cur:                      # commit on success, rollback on exception
        cur.execute("SELECT id, email FROM users WHERE id = %s", (user_id,))
        row = cur.fetchone()                                 # a dict: {"id": ..., "email": ...}

    cache = db.redis_client(settings.redis_url)              # decode_responses=True
"""
import contextlib
import threading
import zlib
from typing import Iterator

import psycopg2
import psycopg2.extras
import psycopg2.pool
import redis as redis_lib

import config


class Database:
    def __init__(self, database_url: str, max_connections: int = 10, connect_timeout: int = 5):
        target = config.parse_database_url(database_url)
        self._pool = psycopg2.pool.ThreadedConnectionPool(
            0, max_connections, connect_timeout=connect_timeout, **target.connect_kwargs())
        # ThreadedConnectionPool raises instead of waiting when exhausted; the semaphore makes callers wait.
        self._slots = threading.BoundedSemaphore(max_connections)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[psycopg2.extras.RealDictCursor]:
        with self._slots:
            conn = self._pool.getconn()
            broken = False
            try:
                with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
                    yield cur
                conn.commit()
            except (psycopg2.OperationalError, psycopg2.InterfaceError):
                broken = True  # server restarted or connection lost: never reuse it
                raise
            except BaseException:
                if not conn.closed:
                    conn.rollback()
                raise
            finally:
                self._pool.putconn(conn, close=broken or bool(conn.closed))

    def migrate(self, name: str, ddl: str) -> None:
        """Run idempotent DDL (CREATE … IF NOT EXISTS) under an advisory lock named after `name`."""
        lock_id = zlib.crc32(name.encode())
        with self.transaction() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (lock_id,))
            cur.execute(ddl)

    def close(self) -> None:
        self._pool.closeall()


def redis_client(redis_url: str, timeout: float = 5.0) -> "redis_lib.Redis":
    config.parse_redis_url(redis_url)
    return redis_lib.Redis.from_url(redis_url, decode_responses=True, socket_timeout=timeout,
                                    socket_connect_timeout=timeout, health_check_interval=30)
