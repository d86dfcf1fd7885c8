"""Readiness checks for App.ready_checks(): each returns a function that returns when the dependency
answers *with the credentials the service uses*, and raises with a one-line reason otherwise.

    app.ready_checks({
        "postgres": checks.postgres(settings.database_url),        # login + SELECT 1
        "redis": checks.redis(settings.redis_url),                 # AUTH (from the URL) + PING
        "airtable-gateway": checks.http(settings.airtable_gateway_url, "/v0/meta/bases", settings.api_key),
    })
"""
from typing import Callable, Collection, Optional

import client
import config

CHECK_TIMEOUT_S = 2


class CheckFailed(Exception):
    pass


def postgres(database_url: str, timeout: int = CHECK_TIMEOUT_S) -> Callable[[], None]:
    import psycopg2

    target = config.parse_database_url(database_url)

    def check() -> None:
        try:
            conn = psycopg2.connect(connect_timeout=timeout, application_name="ready-check",
                                    **target.connect_kwargs())
        except psycopg2.Error as exc:
            raise CheckFailed(_first_line(exc)) from None
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1")
                if cur.fetchone() != (1,):
                    raise CheckFailed("SELECT 1 did not return 1")
        finally:
            conn.close()
    return check


def redis(redis_url: str, timeout: int = CHECK_TIMEOUT_S) -> Callable[[], None]:
    import redis as redis_lib

    config.parse_redis_url(redis_url)  # fail at start on a malformed URL, not at the first check

    def check() -> None:
        connection = redis_lib.Redis.from_url(redis_url, socket_timeout=timeout, socket_connect_timeout=timeout)
        try:
            if connection.ping() is not True:
                raise CheckFailed("PING did not answer PONG")
        except redis_lib.RedisError as exc:
            raise CheckFailed(f"{type(exc).__name__}: {_first_line(exc)}") from None
        finally:
            connection.close()
    return check


def http(base_url: str, path: str, api_key: Optional[str], ok_statuses: Collection[int] = (200,),
         timeout: float = CHECK_TIMEOUT_S) -> Callable[[], None]:
    """GET base_url+path with the API key. Use a path that requires the key, so a rejected key shows."""
    service = client.ServiceClient(base_url, api_key, timeout=timeout)

    def check() -> None:
        try:
            resp = service.get(path)
        except client.UpstreamError as exc:
            raise CheckFailed(str(exc)) from None
        if resp.status in (401, 403):
            raise CheckFailed(f"GET {path} answered {resp.status}: API key rejected")
        if resp.status not in ok_statuses:
            raise CheckFailed(f"GET {path} answered {resp.status}")
    return check


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
