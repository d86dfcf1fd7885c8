"""JSON Web Tokens, HS256 only (RFC 7519 / 7515), with the standard library.

    token = tokens.encode({"sub": "42", "email": "a@b.c", "sid": sid}, secret, expires_in=3600)
    claims = tokens.decode(token, secret)      # raises tokens.InvalidToken(reason)
"""
import base64
import hashlib
import hmac
import json
import time
from typing import Any, Dict, Optional

# Containers of one stack share the host clock; the leeway only tolerates iat rounding.
IAT_LEEWAY_S = 30


class InvalidToken(Exception):
    pass


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raise InvalidToken("malformed token") from None


def _sign(signing_input: bytes, secret: str) -> bytes:
    return hmac.new(secret.encode("utf-8"), signing_input, hashlib.sha256).digest()


def encode(claims: Dict[str, Any], secret: str, expires_in: Optional[int] = None,
           now: Optional[int] = None) -> str:
    """Sign `claims`, adding `iat` and (with expires_in) `exp`."""
    issued = int(time.time()) if now is None else now
    payload = dict(claims)
    payload.setdefault("iat", issued)
    if expires_in is not None:
        payload["exp"] = issued + int(expires_in)
    header = {"alg": "HS256", "typ": "JWT"}
    signing_input = (_b64encode(json.dumps(header, separators=(",", ":")).encode()) + "."
                     + _b64encode(json.dumps(payload, separators=(",", ":")).encode()))
    return signing_input + "." + _b64encode(_sign(signing_input.encode("ascii"), secret))


def decode(token: str, secret: str, now: Optional[int] = None) -> Dict[str, Any]:
    """The claims of a valid token; InvalidToken for a bad shape, algorithm, signature or time."""
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("malformed token")
    header_b64, payload_b64, signature_b64 = parts
    try:
        header = json.loads(_b64decode(header_b64))
        payload = json.loads(_b64decode(payload_b64))
    except (ValueError, UnicodeDecodeError):
        raise InvalidToken("malformed token") from None
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        raise InvalidToken("unsupported algorithm")  # refuses "none" and RS/HS confusion
    if not isinstance(payload, dict):
        raise InvalidToken("malformed token")
    expected = _sign(f"{header_b64}.{payload_b64}".encode("ascii"), secret)
    if not hmac.compare_digest(expected, _b64decode(signature_b64)):
        raise InvalidToken("bad signature")
    current = int(time.time()) if now is None else now
    exp = payload.get("exp")
    if not isinstance(exp, (int, float)) or current >= exp:
        raise InvalidToken("token expired" if isinstance(exp, (int, float)) else "token has no exp")
    iat = payload.get("iat")
    if isinstance(iat, (int, float)) and iat > current + IAT_LEEWAY_S:
        raise InvalidToken("token issued in the future")
    return payload
