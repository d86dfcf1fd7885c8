"""Salted PBKDF2-SHA256 password hashes: "pbkdf2_sha256$<iterations>$<salt b64>$<hash b64>"."""
import base64
import hashlib
import hmac
import secrets

ITERATIONS = 200_000
_SALT_BYTES = 16


def hash_password(password: str, iterations: int = ITERATIONS) -> str:
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return "$".join(["pbkdf2_sha256", str(iterations),
                     base64.b64encode(salt).decode(), base64.b64encode(digest).decode()])


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, iterations, salt_b64, digest_b64 = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
        rounds = int(iterations)
    except ValueError:
        return False
    actual = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, rounds)
    return hmac.compare_digest(actual, expected)


# Verified against when the e-mail is unknown, so a login takes as long whether or not the user exists.
DUMMY_HASH = hash_password(secrets.token_hex(16))
