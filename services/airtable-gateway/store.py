"""Bases, tables, fields and records in postgres, shaped like Airtable's API objects."""
import base64
import datetime
import zlib
from typing import Any, Dict, List, Optional, Tuple

import psycopg2.errors
import psycopg2.extras

import db
import ids
from fields import FieldError, check_definitions

SCHEMA = """
CREATE TABLE IF NOT EXISTS at_bases (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS at_tables (
    id               TEXT PRIMARY KEY,
    base_id          TEXT NOT NULL REFERENCES at_bases(id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    primary_field_id TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (base_id, name)
);
CREATE TABLE IF NOT EXISTS at_fields (
    id       TEXT PRIMARY KEY,
    table_id TEXT NOT NULL REFERENCES at_tables(id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    type     TEXT NOT NULL,
    position INTEGER NOT NULL,
    UNIQUE (table_id, name)
);
CREATE TABLE IF NOT EXISTS at_records (
    seq          BIGSERIAL PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    table_id     TEXT NOT NULL REFERENCES at_tables(id) ON DELETE CASCADE,
    fields       JSONB NOT NULL DEFAULT '{}',
    created_time TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS at_records_table_seq ON at_records (table_id, seq);
"""

DEMO_TABLE = "Tasks"
DEMO_FIELDS = [
    {"name": "Name", "type": "singleLineText"},
    {"name": "Status", "type": "singleSelect"},
    {"name": "Notes", "type": "multilineText"},
]
DEMO_RECORDS = [
    {"Name": "Write stack.yaml", "Status": "Done", "Notes": "Ten services, depends_on as they really call each other."},
    {"Name": "Start the stack in dependency order", "Status": "In progress", "Notes": "Wait for each /ready."},
    {"Name": "Run the integration suite", "Status": "Todo"},
]


def _timestamp(value: datetime.datetime) -> str:
    return value.astimezone(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _record(row: Dict[str, Any]) -> Dict[str, Any]:
    return {"id": row["id"], "createdTime": _timestamp(row["created_time"]), "fields": row["fields"]}


def _encode_offset(seq: int) -> str:
    return "itr" + base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode().rstrip("=")


def _decode_offset(token: str) -> int:
    try:
        text = base64.urlsafe_b64decode(token[3:] + "=" * (-len(token[3:]) % 4)).decode()
        if token.startswith("itr") and text.startswith("seq:"):
            return int(text[4:])
    except (ValueError, UnicodeDecodeError):
        pass
    raise FieldError("LIST_RECORDS_ITERATOR_NOT_AVAILABLE", "Invalid or expired offset")


def _merge(current: Dict[str, Any], changes: Dict[str, Any]) -> Dict[str, Any]:
    merged = dict(current)
    for name, value in changes.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    return merged


class NotFound(Exception):
    pass


class AirtableStore:
    def __init__(self, database: db.Database):
        self._db = database

    # --- schema and seed --------------------------------------------------------------------
    def create_schema(self) -> None:
        self._db.migrate("airtable-gateway", SCHEMA)

    def seed_demo(self, base_id: str) -> bool:
        """Create base `base_id` ("Demo") with table Tasks and three records, unless Tasks exists."""
        with self._db.transaction() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (zlib.crc32(b"airtable-gateway-seed"),))
            cur.execute("INSERT INTO at_bases (id, name) VALUES (%s, 'Demo') ON CONFLICT (id) DO NOTHING",
                        (base_id,))
            cur.execute("SELECT 1 FROM at_tables WHERE base_id = %s AND name = %s", (base_id, DEMO_TABLE))
            if cur.fetchone():
                return False
            table = self._insert_table(cur, base_id, DEMO_TABLE, DEMO_FIELDS)
            for values in DEMO_RECORDS:
                self._insert_record(cur, table["id"], values)
            return True

    # --- bases and tables -------------------------------------------------------------------
    def list_bases(self) -> List[Dict[str, Any]]:
        with self._db.transaction() as cur:
            cur.execute("SELECT id, name FROM at_bases ORDER BY created_at, id")
            return [{"id": r["id"], "name": r["name"], "permissionLevel": "create"} for r in cur.fetchall()]

    def create_base(self, name: str, tables: List[Dict[str, Any]]) -> Dict[str, Any]:
        base_id = ids.base_id()
        with self._db.transaction() as cur:
            cur.execute("INSERT INTO at_bases (id, name) VALUES (%s, %s)", (base_id, name))
            created = [self._insert_table(cur, base_id, t["name"], t["fields"]) for t in tables]
        return {"id": base_id, "name": name, "tables": created}

    def require_base(self, cur, base_id: str) -> None:
        cur.execute("SELECT 1 FROM at_bases WHERE id = %s", (base_id,))
        if cur.fetchone() is None:
            raise NotFound(f"Base {base_id} not found")

    def list_tables(self, base_id: str) -> List[Dict[str, Any]]:
        with self._db.transaction() as cur:
            self.require_base(cur, base_id)
            cur.execute("SELECT id, name, primary_field_id FROM at_tables WHERE base_id = %s "
                        "ORDER BY created_at, id", (base_id,))
            tables = cur.fetchall()
            return [self._table_object(cur, t) for t in tables]

    def create_table(self, base_id: str, name: str, definitions: List[Dict[str, str]]) -> Dict[str, Any]:
        with self._db.transaction() as cur:
            self.require_base(cur, base_id)
            return self._insert_table(cur, base_id, name, definitions)

    def _insert_table(self, cur, base_id: str, name: str, definitions: Any) -> Dict[str, Any]:
        definitions = check_definitions(definitions)
        table_id = ids.table_id()
        field_rows = [{"id": ids.field_id(), "name": d["name"], "type": d["type"]} for d in definitions]
        try:
            cur.execute("INSERT INTO at_tables (id, base_id, name, primary_field_id) VALUES (%s, %s, %s, %s)",
                        (table_id, base_id, name, field_rows[0]["id"]))
        except psycopg2.errors.UniqueViolation:  # the whole transaction is rolled back by the caller
            raise FieldError("DUPLICATE_TABLE_NAME", f'A table named "{name}" already exists') from None
        for position, field in enumerate(field_rows):
            cur.execute("INSERT INTO at_fields (id, table_id, name, type, position) VALUES (%s, %s, %s, %s, %s)",
                        (field["id"], table_id, field["name"], field["type"], position))
        return {"id": table_id, "name": name, "primaryFieldId": field_rows[0]["id"], "fields": field_rows}

    def _table_object(self, cur, table: Dict[str, Any]) -> Dict[str, Any]:
        cur.execute("SELECT id, name, type FROM at_fields WHERE table_id = %s ORDER BY position", (table["id"],))
        return {"id": table["id"], "name": table["name"], "primaryFieldId": table["primary_field_id"],
                "fields": [dict(f) for f in cur.fetchall()]}

    def table(self, cur, base_id: str, id_or_name: str) -> Dict[str, Any]:
        """The table (with its fields) by id or name, or NotFound."""
        self.require_base(cur, base_id)
        cur.execute("SELECT id, name, primary_field_id FROM at_tables WHERE base_id = %s AND (id = %s OR name = %s) "
                    "ORDER BY (id = %s) DESC LIMIT 1", (base_id, id_or_name, id_or_name, id_or_name))
        row = cur.fetchone()
        if row is None:
            raise NotFound(f'Table "{id_or_name}" not found in base {base_id}')
        return self._table_object(cur, row)

    def table_fields(self, base_id: str, id_or_name: str) -> Dict[str, Any]:
        with self._db.transaction() as cur:
            return self.table(cur, base_id, id_or_name)

    # --- records ----------------------------------------------------------------------------
    def _insert_record(self, cur, table_id: str, values: Dict[str, Any]) -> Dict[str, Any]:
        clean = {k: v for k, v in values.items() if v is not None}
        cur.execute("INSERT INTO at_records (id, table_id, fields) VALUES (%s, %s, %s) "
                    "RETURNING id, fields, created_time", (ids.record_id(), table_id, psycopg2.extras.Json(clean)))
        return _record(cur.fetchone())

    def list_records(self, table_id: str, page_size: int, offset: Optional[str]) -> Tuple[List[Dict[str, Any]], Optional[str]]:
        after = _decode_offset(offset) if offset else 0
        with self._db.transaction() as cur:
            cur.execute("SELECT seq, id, fields, created_time FROM at_records WHERE table_id = %s AND seq > %s "
                        "ORDER BY seq LIMIT %s", (table_id, after, page_size + 1))
            rows = cur.fetchall()
        more = len(rows) > page_size
        rows = rows[:page_size]
        return [_record(r) for r in rows], (_encode_offset(rows[-1]["seq"]) if more else None)

    def create_records(self, table_id: str, values_list: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        with self._db.transaction() as cur:
            return [self._insert_record(cur, table_id, values) for values in values_list]

    def get_record(self, table_id: str, record_id: str) -> Dict[str, Any]:
        with self._db.transaction() as cur:
            cur.execute("SELECT id, fields, created_time FROM at_records WHERE table_id = %s AND id = %s",
                        (table_id, record_id))
            row = cur.fetchone()
        if row is None:
            raise NotFound(f"Record {record_id} not found")
        return _record(row)

    def update_record(self, table_id: str, record_id: str, changes: Dict[str, Any], replace: bool) -> Dict[str, Any]:
        with self._db.transaction() as cur:
            cur.execute("SELECT fields FROM at_records WHERE table_id = %s AND id = %s FOR UPDATE",
                        (table_id, record_id))
            row = cur.fetchone()
            if row is None:
                raise NotFound(f"Record {record_id} not found")
            merged = _merge({} if replace else row["fields"], changes)
            cur.execute("UPDATE at_records SET fields = %s WHERE table_id = %s AND id = %s "
                        "RETURNING id, fields, created_time", (psycopg2.extras.Json(merged), table_id, record_id))
            return _record(cur.fetchone())

    def delete_record(self, table_id: str, record_id: str) -> None:
        with self._db.transaction() as cur:
            cur.execute("DELETE FROM at_records WHERE table_id = %s AND id = %s", (table_id, record_id))
            if cur.rowcount != 1:
                raise NotFound(f"Record {record_id} not found")
