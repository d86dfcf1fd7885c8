"""Airtable-shaped ids: a three-letter prefix and 14 alphanumerics, 17 characters in all."""
import secrets
import string

_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str) -> str:
    assert len(prefix) == 3
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(14))


def base_id() -> str:
    return new_id("app")


def table_id() -> str:
    return new_id("tbl")


def field_id() -> str:
    return new_id("fld")


def record_id() -> str:
    return new_id("rec")
