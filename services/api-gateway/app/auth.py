"""Who is calling: the internal API key, or a user's JWT (HS256 verified here, session checked by
platform-services). A positive session check is cached for at most CACHE_TTL_S, so a logout
elsewhere takes effect within that time (a logout through this gateway takes effect at once).
"""
import hashlib
import hmac
import threading
import time
from typing import Any, Callable, Dict, NamedTuple, Optional, Tuple

import tokens

CACHE_TTL_S = 5.0
CACHE_MAX_ENTRIES = 10_000


class Principal(NamedTuple):
    kind: str                   # "api_key" or "user"
    user_id: Optional[str] = None
    email: Optional[str] = None
    session_id: Optional[str] = None


class AuthError(Exception):
    def __init__(self, status: int, error: str, detail: Any = None):
        super().__init__(error)
        self.status = status
        self.error = error
        self.detail = detail


# (status, body) of platform-services GET /auth/validate for a bearer token.
SessionValidator = Callable[[str], Tuple[int, Any]]


class Authenticator:
    def __init__(self, api_key: str, jwt_secret: str, validate_session: SessionValidator,
                 cache_ttl_s: float = CACHE_TTL_S, clock: Callable[[], float] = time.monotonic):
        self._api_key = api_key.encode()
        self._jwt_secret = jwt_secret
        self._validate_session = validate_session
        self._ttl = cache_ttl_s
        self._clock = clock
        self._cache: Dict[str, Tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def _is_api_key(self, presented: Optional[str]) -> bool:
        return bool(presented) and hmac.compare_digest(presented.encode(), self._api_key)

    def authenticate(self, api_key_header: Optional[str], bearer: Optional[str]) -> Principal:
        if self._is_api_key(api_key_header) or self._is_api_key(bearer):
            return Principal("api_key")
        if not bearer:
            raise AuthError(401, "unauthorized", "send X-API-Key or Authorization: Bearer <token>")
        try:
            claims = tokens.decode(bearer, self._jwt_secret)
        except tokens.InvalidToken as exc:
            raise AuthError(401, "unauthorized", str(exc)) from None

        key = hashlib.sha256(bearer.encode()).hexdigest()
        now = self._clock()
        with self._lock:
            cached = self._cache.get(key)
            if cached and cached[0] > now:
                return cached[1]

        status, body = self._validate_session(bearer)
        if status == 401:
            raise AuthError(401, "unauthorized", "session expired or logged out")
        if status != 200 or not isinstance(body, dict) or body.get("valid") is not True:
            raise AuthError(503, "platform-services unavailable", f"session check answered {status}")
        user = body.get("user") or {}
        principal = Principal("user", str(user.get("id", claims.get("sub"))), user.get("email"),
                              body.get("session_id"))
        # Never cache past the token's own expiry.
        lifetime = min(self._ttl, max(0.0, float(claims["exp"]) - time.time()))
        with self._lock:
            if len(self._cache) >= CACHE_MAX_ENTRIES:
                self._cache = {k: v for k, v in self._cache.items() if v[0] > now}
                if len(self._cache) >= CACHE_MAX_ENTRIES:
                    self._cache.clear()
            self._cache[key] = (now + lifetime, principal)
        return principal

    def forget(self, bearer: Optional[str]) -> None:
        if bearer:
            with self._lock:
                self._cache.pop(hashlib.sha256(bearer.encode()).hexdigest(), None)
