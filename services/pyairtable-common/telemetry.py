"""Structured logs: one JSON object per line on stdout, secrets redacted.

    telemetry.setup("platform-services", level="info")
    telemetry.info("user registered", user_id=42)
    -> {"ts":"2025-08-07T18:19:42.123Z","level":"info","service":"platform-services",
        "msg":"user registered","request_id":"9f…","user_id":42}

The request id lives in a context variable: `with telemetry.request_context(rid): ...` makes every
line logged (and every outgoing call made by `client`) inside it carry that id.
"""
import contextlib
import contextvars
import datetime
import json
import re
import sys
import threading
import time
import traceback
import uuid
from typing import Any, Iterator, Optional

import config

LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40}
REDACTED = "***"
_REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

_service = "unknown"
_threshold = LEVELS["info"]
_write_lock = threading.Lock()
_request_id: contextvars.ContextVar = contextvars.ContextVar("request_id", default=None)


def setup(service: str, level: str = "info") -> None:
    """Name the service on every line, set the minimum level, log uncaught exceptions as JSON."""
    global _service, _threshold
    _service = service
    _threshold = LEVELS.get(str(level).lower(), LEVELS["info"])
    sys.excepthook = _log_uncaught
    threading.excepthook = lambda args: _log_uncaught(args.exc_type, args.exc_value, args.exc_traceback)


def new_request_id() -> str:
    return uuid.uuid4().hex


def accept_request_id(candidate: Optional[str]) -> str:
    """The caller's X-Request-Id when it is sane (short, no spaces or control chars), else a new one."""
    if candidate and _REQUEST_ID_PATTERN.match(candidate):
        return candidate
    return new_request_id()


def current_request_id() -> Optional[str]:
    return _request_id.get()


@contextlib.contextmanager
def request_context(request_id: str) -> Iterator[str]:
    token = _request_id.set(request_id)
    try:
        yield request_id
    finally:
        _request_id.reset(token)


class Timer:
    """Elapsed wall time in milliseconds: `t = Timer(); ...; t.elapsed_ms()`."""

    def __init__(self) -> None:
        self._start = time.perf_counter()

    def elapsed_ms(self) -> float:
        return round((time.perf_counter() - self._start) * 1000, 2)


def redact(value: Any) -> Any:
    """`value` with every registered secret replaced by '***' (strings, lists, dicts, recursively)."""
    if isinstance(value, str):
        for secret in config.secret_values():
            if secret in value:
                value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, dict):
        return {redact(str(k)): redact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    return value


def log(level: str, msg: str, **fields: Any) -> None:
    if LEVELS.get(level, LEVELS["info"]) < _threshold:
        return
    record = {
        "ts": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "level": level,
        "service": _service,
        "msg": msg,
        "request_id": _request_id.get(),
    }
    for key, value in fields.items():
        if key not in record:
            record[key] = value
    line = json.dumps(redact(record), default=str, ensure_ascii=False, separators=(",", ":"))
    # Second pass over the serialized line: catches secrets that only appear JSON-escaped.
    line = redact(line)
    with _write_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def debug(msg: str, **fields: Any) -> None:
    log("debug", msg, **fields)


def info(msg: str, **fields: Any) -> None:
    log("info", msg, **fields)


def warning(msg: str, **fields: Any) -> None:
    log("warning", msg, **fields)


def error(msg: str, **fields: Any) -> None:
    log("error", msg, **fields)


def exception(msg: str, exc: BaseException, **fields: Any) -> None:
    """Log an error with the exception's type, message and traceback (all redacted)."""
    error(msg, error_type=type(exc).__name__, error=str(exc),
          traceback="".join(traceback.format_exception(type(exc), exc, exc.__traceback__)), **fields)


def _log_uncaught(exc_type, exc_value, exc_traceback) -> None:
    if exc_type is KeyboardInterrupt or exc_value is None:
        return
    error("uncaught exception", error_type=exc_type.__name__, error=str(exc_value),
          traceback="".join(traceback.format_exception(exc_type, exc_value, exc_traceback)))
