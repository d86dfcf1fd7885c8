"""The onboard_user saga: its steps, each with an action and (where needed) a compensation.

`backends` is the object that talks to platform-services and airtable-gateway (see backends.py);
each action returns the step's detail, which is persisted and later handed to its compensation.
"""
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional

DEFAULT_TABLE = "Tasks"


class StepError(Exception):
    """A step or compensation failed; `detail` is stored with the step."""

    def __init__(self, message: str, detail: Any = None):
        super().__init__(message)
        self.detail = detail


@dataclass
class Context:
    saga_id: str
    payload: Dict[str, Any]   # with the password: only in memory
    backends: Any
    store: Any


@dataclass
class Step:
    name: str
    action: Callable[[Context], Dict[str, Any]]
    compensate: Optional[Callable[[Context, Dict[str, Any]], None]] = None


def _create_user(ctx: Context) -> Dict[str, Any]:
    p = ctx.payload
    user = ctx.backends.register_user(p["email"], p["password"], p.get("name"))
    return {"user_id": user["id"], "email": user.get("email", p["email"])}


def _delete_user(ctx: Context, detail: Dict[str, Any]) -> None:
    ctx.backends.delete_user(detail["user_id"])


def _create_record(ctx: Context) -> Dict[str, Any]:
    p = ctx.payload
    base_id = p.get("base_id") or ctx.backends.default_base_id()
    table = p.get("table") or DEFAULT_TABLE
    fields = p.get("fields") or {"Name": f"Onboard {p.get('name') or p['email']}"}
    record = ctx.backends.create_record(base_id, table, fields)
    return {"base_id": base_id, "table": table, "record_id": record["id"]}


def _delete_record(ctx: Context, detail: Dict[str, Any]) -> None:
    ctx.backends.delete_record(detail["base_id"], detail["table"], detail["record_id"])


def _notify(ctx: Context) -> Dict[str, Any]:
    p = ctx.payload
    message = f"Welcome {p.get('name') or p['email']}, your account is ready."
    notification_id = ctx.store.add_notification(ctx.saga_id, p["email"], message)
    return {"notification_id": notification_id, "recipient": p["email"]}


ONBOARD_USER: List[Step] = [
    Step("create_user", _create_user, _delete_user),
    Step("create_record", _create_record, _delete_record),
    Step("notify", _notify),
]

SAGAS: Dict[str, List[Step]] = {"onboard_user": ONBOARD_USER}


def validate(body: Dict[str, Any]) -> List[str]:
    """Problems with a POST /sagas body (empty when valid)."""
    problems: List[str] = []
    saga_type = body.get("type")
    if saga_type not in SAGAS:
        return [f"type must be one of {sorted(SAGAS)}"]
    payload = body.get("payload")
    if not isinstance(payload, dict):
        return ["payload must be an object"]
    email = payload.get("email")
    if not isinstance(email, str) or "@" not in email or len(email) > 254:
        problems.append("payload.email must be an email address")
    if not isinstance(payload.get("password"), str) or not payload["password"]:
        problems.append("payload.password must be a non-empty string")
    for key in ("name", "table", "base_id"):
        if key in payload and payload[key] is not None and not isinstance(payload[key], str):
            problems.append(f"payload.{key} must be a string")
    if "fields" in payload and payload["fields"] is not None and not isinstance(payload["fields"], dict):
        problems.append("payload.fields must be an object")
    fail_at = body.get("fail_at")
    names = [step.name for step in SAGAS[saga_type]]
    if fail_at is not None and fail_at not in names:
        problems.append(f"fail_at must be one of {names}")
    return problems
