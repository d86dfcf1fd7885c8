"""Typed settings from the environment, and the registry of secret values telemetry redacts.

    settings = config.load(
        service="platform-services",
        required=["DATABASE_URL", "REDIS_URL", "API_KEY", "JWT_SECRET"],
        optional={"PORT": 8007, "LOG_LEVEL": "info"},
    )
    settings.database_url, settings.port (an int), settings.service

A missing or empty required variable (or an optional one that does not parse as its default's type)
makes `load` print ONE line to stderr naming every problem, then exit with status 1.
"""
import os
import sys
import threading
import urllib.parse
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional

# Variables whose whole value is a secret, whatever service reads them.
_SECRET_NAME_MARKERS = ("PASSWORD", "SECRET", "API_KEY", "TOKEN")
# Variables that are URLs which may carry a password.
_URL_NAME_SUFFIX = "_URL"

_secrets_lock = threading.Lock()
_secrets: set = set()


def register_secret(value: Optional[str]) -> None:
    """Remember a value (and its URL-encoded form) so telemetry never prints it."""
    if not value or len(value) < 4:  # redacting "a" or "1" everywhere would garble every line
        return
    with _secrets_lock:
        _secrets.add(value)
        quoted = urllib.parse.quote(value, safe="")
        if quoted != value:
            _secrets.add(quoted)


def secret_values() -> List[str]:
    """Every registered secret, longest first (so a secret containing another is redacted whole)."""
    with _secrets_lock:
        return sorted(_secrets, key=len, reverse=True)


def is_secret_name(name: str) -> bool:
    upper = name.upper()
    return any(marker in upper for marker in _SECRET_NAME_MARKERS)


class Settings:
    """Read-only settings: attribute access by lower-cased variable name (`settings.api_key`)."""

    def __init__(self, service: str, values: Mapping[str, Any]):
        object.__setattr__(self, "service", service)
        object.__setattr__(self, "_values", dict(values))

    def __getattr__(self, name: str) -> Any:
        values = object.__getattribute__(self, "_values")
        key = name.upper()
        if key in values:
            return values[key]
        raise AttributeError(f"setting {key} was not declared in config.load()")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("settings are read-only")

    def get(self, name: str, default: Any = None) -> Any:
        return self._values.get(name.upper(), default)

    def as_dict(self) -> Dict[str, Any]:
        """The settings with secret values replaced by '***' (safe to log)."""
        return {k: ("***" if is_secret_name(k) else _redact_url(k, v)) for k, v in self._values.items()}

    def __repr__(self) -> str:
        return f"Settings(service={self.service!r}, {self.as_dict()!r})"


def _redact_url(name: str, value: Any) -> Any:
    if isinstance(value, str) and name.endswith(_URL_NAME_SUFFIX):
        parsed = urllib.parse.urlsplit(value)
        if parsed.password:
            netloc = parsed.netloc.replace(":" + parsed.password + "@", ":***@")
            return urllib.parse.urlunsplit(parsed._replace(netloc=netloc))
    return value


def _convert(raw: str, default: Any) -> Any:
    """Parse `raw` as the type of `default`; raises ValueError with a readable reason."""
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ValueError("is not a boolean (true/false)")
    if isinstance(default, int):
        try:
            return int(raw.strip())
        except ValueError:
            raise ValueError("is not an integer") from None
    if isinstance(default, float):
        try:
            return float(raw.strip())
        except ValueError:
            raise ValueError("is not a number") from None
    return raw


def load(
    service: str,
    required: Iterable[str] = (),
    optional: Optional[Mapping[str, Any]] = None,
    secrets: Iterable[str] = (),
    environ: Optional[Mapping[str, str]] = None,
) -> Settings:
    """Read `required` (non-empty strings) and `optional` (typed by their defaults) from the environment.

    Secret values (names containing PASSWORD/SECRET/API_KEY/TOKEN, names listed in `secrets`, and
    passwords inside *_URL values) are registered for redaction before anything can be logged.
    """
    env = os.environ if environ is None else environ
    optional = dict(optional or {})
    extra_secret_names = {name.upper() for name in secrets}
    values: Dict[str, Any] = {}
    missing: List[str] = []
    invalid: List[str] = []

    for name in required:
        raw = env.get(name, "")
        if raw.strip() == "":
            missing.append(name)
        else:
            values[name] = raw
    for name, default in optional.items():
        raw = env.get(name)
        if raw is None or raw.strip() == "":
            values[name] = default
            continue
        try:
            values[name] = _convert(raw, default)
        except ValueError as reason:
            # The value is echoed only for names that cannot be secrets.
            shown = "" if is_secret_name(name) or name in extra_secret_names else f"={raw!r}"
            invalid.append(f"{name}{shown} {reason}")

    for name, value in values.items():
        if not isinstance(value, str):
            continue
        if is_secret_name(name) or name in extra_secret_names:
            register_secret(value)
        if name.endswith(_URL_NAME_SUFFIX):
            password = urllib.parse.urlsplit(value).password
            if password:
                register_secret(urllib.parse.unquote(password))
                register_secret(password)

    if missing or invalid:
        problems = []
        if missing:
            problems.append("missing required environment variables: " + ", ".join(missing))
        if invalid:
            problems.append("invalid environment variables: " + "; ".join(invalid))
        print(f"{service}: cannot start: " + "; ".join(problems), file=sys.stderr, flush=True)
        sys.exit(1)

    return Settings(service, values)


@dataclass(frozen=True)
class DatabaseURL:
    host: str
    port: int
    user: str
    password: str
    database: str

    def connect_kwargs(self) -> Dict[str, Any]:
        """Keyword arguments for psycopg2.connect()."""
        return {"host": self.host, "port": self.port, "user": self.user,
                "password": self.password, "dbname": self.database}

    def redacted(self) -> str:
        return f"postgresql://{self.user}:***@{self.host}:{self.port}/{self.database}"


@dataclass(frozen=True)
class RedisURL:
    host: str
    port: int
    db: int
    username: Optional[str]
    password: Optional[str]

    def redacted(self) -> str:
        auth = ":***@" if self.password else ""
        return f"redis://{auth}{self.host}:{self.port}/{self.db}"


def parse_database_url(url: str) -> DatabaseURL:
    """postgresql://USER:PASSWORD@HOST:PORT/DB (postgres:// accepted); raises ValueError."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValueError(f"DATABASE_URL scheme must be postgresql://, not {parts.scheme!r}")
    if not parts.hostname:
        raise ValueError("DATABASE_URL has no host")
    database = urllib.parse.unquote(parts.path.lstrip("/"))
    if not database:
        raise ValueError("DATABASE_URL has no database name")
    return DatabaseURL(
        host=parts.hostname,
        port=parts.port or 5432,
        user=urllib.parse.unquote(parts.username or ""),
        password=urllib.parse.unquote(parts.password or ""),
        database=database,
    )


def parse_redis_url(url: str) -> RedisURL:
    """redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]; raises ValueError."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "redis":
        raise ValueError(f"REDIS_URL scheme must be redis://, not {parts.scheme!r}")
    if not parts.hostname:
        raise ValueError("REDIS_URL has no host")
    db_text = parts.path.lstrip("/") or "0"
    if not db_text.isdigit():
        raise ValueError("REDIS_URL database must be a number")
    return RedisURL(
        host=parts.hostname,
        port=parts.port or 6379,
        db=int(db_text),
        username=urllib.parse.unquote(parts.username) if parts.username else None,
        password=urllib.parse.unquote(parts.password) if parts.password else None,
    )
