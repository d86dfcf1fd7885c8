"""The MCP tools: each validates its arguments and calls airtable-gateway."""
import urllib.parse
from typing import Any, Callable, Dict, List

import client


class InvalidParams(Exception):
    """Arguments that do not match the tool's inputSchema (JSON-RPC -32602)."""


class UpstreamFailure(Exception):
    """airtable-gateway refused or could not be reached (JSON-RPC -32000)."""

    def __init__(self, message: str, status: Any = None, body: Any = None):
        super().__init__(message)
        self.status = status
        self.body = body


_STRING = {"type": "string"}
_FIELDS = {"type": "object", "description": "field name -> value", "additionalProperties": True}
_BASE = {"type": "string", "description": "base id; defaults to the configured AIRTABLE_BASE"}


def _schema(properties: Dict[str, Any], required: List[str]) -> Dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


TOOL_DEFINITIONS = [
    {"name": "list_bases", "description": "List the bases the gateway holds.", "inputSchema": _schema({}, [])},
    {"name": "list_tables", "description": "List the tables (and their fields) of a base.",
     "inputSchema": _schema({"base_id": _BASE}, [])},
    {"name": "list_records", "description": "List the records of a table (first page).",
     "inputSchema": _schema({"table": _STRING, "base_id": _BASE,
                             "page_size": {"type": "integer", "minimum": 1, "maximum": 100}}, ["table"])},
    {"name": "get_record", "description": "Get one record by id.",
     "inputSchema": _schema({"table": _STRING, "record_id": _STRING, "base_id": _BASE}, ["table", "record_id"])},
    {"name": "create_record", "description": "Create a record from field values.",
     "inputSchema": _schema({"table": _STRING, "fields": _FIELDS, "base_id": _BASE}, ["table", "fields"])},
    {"name": "update_record", "description": "Change some fields of a record (others are kept).",
     "inputSchema": _schema({"table": _STRING, "record_id": _STRING, "fields": _FIELDS, "base_id": _BASE},
                            ["table", "record_id", "fields"])},
    {"name": "delete_record", "description": "Delete a record.",
     "inputSchema": _schema({"table": _STRING, "record_id": _STRING, "base_id": _BASE}, ["table", "record_id"])},
]
_DEFINITIONS_BY_NAME = {tool["name"]: tool for tool in TOOL_DEFINITIONS}
_JSON_TYPES = {"string": str, "object": dict, "integer": int}


def check_arguments(tool: str, arguments: Any) -> Dict[str, Any]:
    """`arguments` checked against the tool's inputSchema (required, types, bounds, no extras)."""
    if not isinstance(arguments, dict):
        raise InvalidParams("arguments must be an object")
    schema = _DEFINITIONS_BY_NAME[tool]["inputSchema"]
    missing = [name for name in schema["required"] if name not in arguments]
    if missing:
        raise InvalidParams(f"{tool}: missing argument(s): {', '.join(missing)}")
    for name, value in arguments.items():
        spec = schema["properties"].get(name)
        if spec is None:
            raise InvalidParams(f"{tool}: unknown argument {name!r}")
        expected = _JSON_TYPES[spec["type"]]
        if not isinstance(value, expected) or isinstance(value, bool):
            raise InvalidParams(f"{tool}: {name} must be a {spec['type']}")
        if expected is str and not value.strip():
            raise InvalidParams(f"{tool}: {name} must not be empty")
        if "minimum" in spec and not spec["minimum"] <= value <= spec["maximum"]:
            raise InvalidParams(f"{tool}: {name} must be from {spec['minimum']} to {spec['maximum']}")
    return arguments


class AirtableTools:
    def __init__(self, gateway: client.ServiceClient, default_base: str):
        self._gateway = gateway
        self._default_base = default_base
        self._handlers: Dict[str, Callable[[Dict[str, Any]], Any]] = {
            "list_bases": self.list_bases, "list_tables": self.list_tables,
            "list_records": self.list_records, "get_record": self.get_record,
            "create_record": self.create_record, "update_record": self.update_record,
            "delete_record": self.delete_record,
        }

    def exists(self, name: str) -> bool:
        return name in self._handlers

    def call(self, name: str, arguments: Any) -> Any:
        return self._handlers[name](check_arguments(name, arguments))

    # --- calls to airtable-gateway ------------------------------------------------------------
    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            return self._gateway.call(method, path, **kwargs)
        except client.UpstreamError as exc:
            raise UpstreamFailure(str(exc), exc.status, exc.body) from None

    def _table_path(self, args: Dict[str, Any]) -> str:
        base = urllib.parse.quote(args.get("base_id") or self._default_base, safe="")
        return f"/v0/{base}/{urllib.parse.quote(args['table'], safe='')}"

    def _record_path(self, args: Dict[str, Any]) -> str:
        return f"{self._table_path(args)}/{urllib.parse.quote(args['record_id'], safe='')}"

    def list_bases(self, args: Dict[str, Any]) -> Any:
        return self._request("GET", "/v0/meta/bases")

    def list_tables(self, args: Dict[str, Any]) -> Any:
        base = urllib.parse.quote(args.get("base_id") or self._default_base, safe="")
        return self._request("GET", f"/v0/meta/bases/{base}/tables")

    def list_records(self, args: Dict[str, Any]) -> Any:
        return self._request("GET", self._table_path(args), query={"pageSize": args.get("page_size")})

    def get_record(self, args: Dict[str, Any]) -> Any:
        return self._request("GET", self._record_path(args))

    def create_record(self, args: Dict[str, Any]) -> Any:
        return self._request("POST", self._table_path(args), json_body={"fields": args["fields"]})

    def update_record(self, args: Dict[str, Any]) -> Any:
        return self._request("PATCH", self._record_path(args), json_body={"fields": args["fields"]})

    def delete_record(self, args: Dict[str, Any]) -> Any:
        return self._request("DELETE", self._record_path(args))
