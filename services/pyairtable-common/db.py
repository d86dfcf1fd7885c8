"""Postgres (psycopg2, a small thread-safe pool of kept-open connections) and Redis connections built from the URLs in settings.

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
from typing import Iterator, List

import psycopg2
import psycopg2.extensions
import psycopg2.extras
import redis as redis_lib

import config


class Database:
    """A bounded pool that keeps idle connections open (psycopg2's own pools close every connection
    above `minconn` on release, or open `minconn` eagerly; a new scram-sha-256 login per request
    costs tens of milliseconds)."""

    def __init__(self, database_url: str, max_connections: int = 10, connect_timeout: int = 5):
        self._connect_kwargs = dict(config.parse_database_url(database_url).connect_kwargs(),
                                    connect_timeout=connect_timeout)
        self._idle: List["psycopg2.extensions.connection"] = []
        self._idle_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max_connections)  # callers wait when all are in use

    def _acquire(self) -> "psycopg2.extensions.connection":
        with self._idle_lock:
            while self._idle:
                conn = self._idle.pop()
                if not conn.closed:
                    return conn
        return psycopg2.connect(**self._connect_kwargs)

    def _release(self, conn: "psycopg2.extensions.connection", broken: bool) -> None:
        if not broken and not conn.closed:
            with self._idle_lock:
                self._idle.append(conn)
            return
        # A lost connection usually means the server restarted: the idle ones are dead too, and
        # dropping them now costs one failed request instead of one per pooled connection.
        with self._idle_lock:
            doomed, self._idle = [conn] + self._idle, []
        for dead in doomed:
            try:
                dead.close()
            except psycopg2.Error:
                pass

    @contextlib.contextmanager
    def transaction(self) -> Iterator[psycopg2.extras.RealDictCursor]:
        with self._slots:
            conn = self._acquire()
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
                self._release(conn, broken)

    def migrate(self, name: str, ddl: str) -> None:
        """Run idempotent DDL (CREATE … IF NOT EXISTS) under an advisory lock named after `name`."""
        lock_id = zlib.crc32(name.encode())
        with self.transaction() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (lock_id,))
            cur.execute(ddl)

    def close(self) -> None:
        with self._idle_lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


def redis_client(redis_url: str, timeout: float = 5.0) -> "redis_lib.Redis":
    config.parse_redis_url(redis_url)
    return redis_lib.Redis.from_url(redis_url, decode_responses=True, socket_timeout=timeout,
                                    socket_connect_timeout=timeout, health_check_interval=30)
