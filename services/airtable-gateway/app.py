"""airtable-gateway: a local, Airtable-compatible REST API (meta + records) stored in postgres."""
from typing import Any, Dict

import psycopg2

import checks
import config
import db
import server
import telemetry
from fields import FieldError, check_values
from store import AirtableStore, NotFound

MAX_PAGE_SIZE = 100
MAX_RECORDS_PER_WRITE = 10  # Airtable's own limit per create request

settings = config.load(
    service="airtable-gateway",
    required=["DATABASE_URL", "API_KEY", "AIRTABLE_BASE"],
    optional={"PORT": 8002, "LOG_LEVEL": "info"},
)
app = server.App(settings)
app.ready_checks({"postgres": checks.postgres(settings.database_url)})
app.treat_as_unavailable("postgres", psycopg2.OperationalError, psycopg2.InterfaceError)
store = AirtableStore(db.Database(settings.database_url))


def airtable_error(status: int, error_type: str, message: str) -> server.HTTPError:
    return server.HTTPError(status, error_type, body={"error": {"type": error_type, "message": message}})


def _airtable_errors(handler):
    """Translate the store's NotFound / FieldError into Airtable-shaped error bodies."""
    def wrapped(req: server.Request) -> Any:
        try:
            return handler(req)
        except NotFound as exc:
            raise airtable_error(404, "NOT_FOUND", str(exc)) from None
        except FieldError as exc:
            raise airtable_error(exc.status, exc.error_type, exc.message) from None
    wrapped.__name__ = handler.__name__
    return wrapped


def route(method: str, pattern: str):
    def register(handler):
        return app.route(method, pattern)(_airtable_errors(handler))
    return register


def _name(body: Dict[str, Any]) -> str:
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise FieldError("INVALID_REQUEST_BODY", "name is required")
    return name.strip()


# --- meta -----------------------------------------------------------------------------------
@route("GET", "/v0/meta/bases")
def list_bases(req: server.Request) -> Any:
    return {"bases": store.list_bases()}


@route("POST", "/v0/meta/bases")
def create_base(req: server.Request) -> Any:
    body = req.json()
    tables = body.get("tables") or []
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise FieldError("INVALID_REQUEST_BODY", "tables must be a list of {name, fields}")
    for table in tables:
        table["name"] = _name(table)
    if len({t["name"] for t in tables}) != len(tables):
        raise FieldError("DUPLICATE_TABLE_NAME", "table names must be unique")
    base = store.create_base(_name(body), tables)
    telemetry.info("base created", base_id=base["id"])
    return base


@route("GET", "/v0/meta/bases/{base_id}/tables")
def list_tables(req: server.Request) -> Any:
    return {"tables": store.list_tables(req.params["base_id"])}


@route("POST", "/v0/meta/bases/{base_id}/tables")
def create_table(req: server.Request) -> Any:
    body = req.json()
    table = store.create_table(req.params["base_id"], _name(body), body.get("fields"))
    telemetry.info("table created", base_id=req.params["base_id"], table_id=table["id"])
    return table


# --- records --------------------------------------------------------------------------------
def _page_size(req: server.Request) -> int:
    raw = req.query.get("pageSize", str(MAX_PAGE_SIZE))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise FieldError("INVALID_REQUEST_UNKNOWN", f"pageSize must be an integer from 1 to {MAX_PAGE_SIZE}")
    return int(raw)


@route("GET", "/v0/{base_id}/{table}")
def list_records(req: server.Request) -> Any:
    table = store.table_fields(req.params["base_id"], req.params["table"])
    records, offset = store.list_records(table["id"], _page_size(req), req.query.get("offset") or None)
    page: Dict[str, Any] = {"records": records}
    if offset:
        page["offset"] = offset
    return page


@route("POST", "/v0/{base_id}/{table}")
def create_records(req: server.Request) -> Any:
    body = req.json()
    table = store.table_fields(req.params["base_id"], req.params["table"])
    if "records" in body:
        items = body["records"]
        if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
            raise FieldError("INVALID_RECORDS", "records must be a non-empty list of {fields}")
        if len(items) > MAX_RECORDS_PER_WRITE:
            raise FieldError("INVALID_RECORDS", f"at most {MAX_RECORDS_PER_WRITE} records per request")
        values = [check_values(item.get("fields", {}), table["fields"]) for item in items]
        created = store.create_records(table["id"], values)
        telemetry.info("records created", table_id=table["id"], count=len(created))
        return {"records": created}
    if "fields" not in body:
        raise FieldError("INVALID_REQUEST_BODY", "expected {fields} or {records: [{fields}]}")
    record = store.create_records(table["id"], [check_values(body["fields"], table["fields"])])[0]
    telemetry.info("record created", table_id=table["id"], record_id=record["id"])
    return record


@route("GET", "/v0/{base_id}/{table}/{record_id}")
def get_record(req: server.Request) -> Any:
    table = store.table_fields(req.params["base_id"], req.params["table"])
    return store.get_record(table["id"], req.params["record_id"])


def _update(req: server.Request, replace: bool) -> Any:
    body = req.json()
    table = store.table_fields(req.params["base_id"], req.params["table"])
    if "fields" not in body:
        raise FieldError("INVALID_REQUEST_BODY", "expected {fields}")
    changes = check_values(body["fields"], table["fields"])
    record = store.update_record(table["id"], req.params["record_id"], changes, replace=replace)
    telemetry.info("record updated", table_id=table["id"], record_id=record["id"])
    return record


@route("PATCH", "/v0/{base_id}/{table}/{record_id}")
def patch_record(req: server.Request) -> Any:
    return _update(req, replace=False)


@route("PUT", "/v0/{base_id}/{table}/{record_id}")
def put_record(req: server.Request) -> Any:
    return _update(req, replace=True)


@route("DELETE", "/v0/{base_id}/{table}/{record_id}")
def delete_record(req: server.Request) -> Any:
    table = store.table_fields(req.params["base_id"], req.params["table"])
    store.delete_record(table["id"], req.params["record_id"])
    telemetry.info("record deleted", table_id=table["id"], record_id=req.params["record_id"])
    return {"id": req.params["record_id"], "deleted": True}


if __name__ == "__main__":
    store.create_schema()
    if store.seed_demo(settings.airtable_base):
        telemetry.info("seeded demo base", base_id=settings.airtable_base, table="Tasks")
    app.serve()
