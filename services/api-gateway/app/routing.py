"""Which back end serves a public /api path, and the path it is given there (prefix stripped)."""
import urllib.parse
from typing import NamedTuple, Optional

PUBLIC_PATHS = {"/api/health", "/api/auth/register", "/api/auth/login"}


class Route(NamedTuple):
    prefix: str        # public prefix, matched on a segment boundary
    service: str       # back-end name (a key of the gateway's back-end URLs)
    target: str        # what the prefix becomes upstream


# Longest prefixes first is not needed: no prefix here is a segment-prefix of another.
ROUTES = (
    Route("/api/auth", "platform-services", "/auth"),
    Route("/api/airtable", "airtable-gateway", "/v0"),
    Route("/api/mcp", "mcp-server", ""),
    Route("/api/chat", "llm-orchestrator", "/chat"),
    Route("/api/sessions", "llm-orchestrator", "/sessions"),
    Route("/api/workflows", "automation-services", "/workflows"),
    Route("/api/files", "automation-services", "/files"),
    Route("/api/sagas", "saga-orchestrator", "/sagas"),
)


class Target(NamedTuple):
    service: str
    path: str


class BadPath(ValueError):
    pass


def check_path(path: str) -> None:
    """Refuse dot segments (also percent-encoded): after the prefix is stripped they would climb out of it."""
    for segment in path.split("/"):
        if urllib.parse.unquote(segment) in (".", ".."):
            raise BadPath("path must not contain '.' or '..' segments")


def resolve(path: str) -> Optional[Target]:
    """The upstream (service, path) for a raw (still percent-encoded) request path, or None."""
    check_path(path)
    for route in ROUTES:
        if path == route.prefix or path.startswith(route.prefix + "/"):
            rest = path[len(route.prefix):]
            return Target(route.service, (route.target + rest) or "/")
    return None


def is_public(path: str) -> bool:
    return path.rstrip("/") in PUBLIC_PATHS
