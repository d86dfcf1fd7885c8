"""Deterministic rule-based planner: a chat message -> the mcp-server tool calls that answer it.

No model is involved: each rule is a regular expression over the message. A message that no rule
matches gets a plan with no tool call (the caller answers with HELP_TEXT).
"""
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

HELP_TEXT = (
    "I can work with your Airtable base. Try: \"list tables\", \"list records in Tasks\", "
    "\"show record recXXX in Tasks\", \"create a record in Tasks with Name=Buy milk, Status=Todo\", "
    "\"update record recXXX in Tasks set Status=Done\" or \"delete record recXXX from Tasks\"."
)

# Table names: a bare word (Tasks) or a quoted name ("My Table").
_TABLE = r"(?:\"(?P<qtable>[^\"]+)\"|'(?P<stable>[^']+)'|(?P<table>[\w-]+))"
_RECORD = r"(?P<record>rec[A-Za-z0-9]+)"
# One `Field=value` pair; values may be quoted to hold commas.
_FIELD = re.compile(
    r"""\s*(?P<name>[A-Za-z_][\w ]*?)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^,]*?))\s*(?:,|$)"""
)


@dataclass
class ToolCall:
    name: str
    arguments: Dict[str, Any]


@dataclass
class Plan:
    intent: str
    calls: List[ToolCall] = field(default_factory=list)
    table: Optional[str] = None


class PlanError(ValueError):
    """The message matched a command but its arguments could not be understood."""


def _rule(pattern: str) -> "re.Pattern[str]":
    return re.compile(r"^\s*(?:please\s+)?" + pattern + r"\s*[.!?]?\s*$", re.IGNORECASE | re.DOTALL)


_LIST_BASES = _rule(r"(?:list|show)\s+(?:all\s+|the\s+|my\s+)?bases")
_LIST_TABLES = _rule(r"(?:list|show)\s+(?:all\s+|the\s+|my\s+)?tables")
_LIST_RECORDS = _rule(r"(?:list|show)\s+(?:all\s+|the\s+)?records\s+(?:in|of|from)\s+(?:table\s+)?" + _TABLE)
_GET_RECORD = _rule(r"(?:show|get)\s+record\s+" + _RECORD + r"\s+(?:in|from|of)\s+(?:table\s+)?" + _TABLE)
_CREATE_RECORD = _rule(
    r"(?:create|add)\s+(?:a\s+|an\s+)?(?:new\s+)?record\s+(?:in|to)\s+(?:table\s+)?" + _TABLE + r"\s+with\s+(?P<fields>.+)"
)
_UPDATE_RECORD = _rule(
    r"update\s+record\s+" + _RECORD + r"\s+(?:in|of)\s+(?:table\s+)?" + _TABLE + r"\s+set\s+(?P<fields>.+)"
)
_DELETE_RECORD = _rule(r"(?:delete|remove)\s+record\s+" + _RECORD + r"\s+(?:from|in)\s+(?:table\s+)?" + _TABLE)


def parse_fields(text: str) -> Dict[str, str]:
    """`Name=Buy milk, Status=Todo` -> {"Name": "Buy milk", "Status": "Todo"} (quotes keep commas)."""
    fields: Dict[str, str] = {}
    position = 0
    text = text.strip()
    while position < len(text):
        match = _FIELD.match(text, position)
        if not match or match.end() == position:
            raise PlanError(f"cannot read fields from {text[position:]!r}; use Field=value, Field2=value")
        value = next(v for v in (match.group("dq"), match.group("sq"), match.group("bare")) if v is not None)
        fields[match.group("name").strip()] = value.strip() if match.group("bare") is not None else value
        position = match.end()
    if not fields:
        raise PlanError("no fields given; use Field=value, Field2=value")
    return fields


def _table(match: "re.Match[str]") -> str:
    return match.group("qtable") or match.group("stable") or match.group("table")


def plan(message: str, base_id: Optional[str] = None) -> Plan:
    """The tool calls for `message`; `Plan(intent="help")` with no calls when nothing matches."""
    base = {"base_id": base_id} if base_id else {}
    if _LIST_BASES.match(message):
        return Plan("list_bases", [ToolCall("list_bases", {})])
    if _LIST_TABLES.match(message):
        return Plan("list_tables", [ToolCall("list_tables", dict(base))])
    match = _LIST_RECORDS.match(message)
    if match:
        table = _table(match)
        return Plan("list_records", [ToolCall("list_records", {"table": table, **base})], table)
    match = _GET_RECORD.match(message)
    if match:
        table = _table(match)
        return Plan("get_record", [ToolCall("get_record", {"table": table, "record_id": match.group("record")})], table)
    match = _CREATE_RECORD.match(message)
    if match:
        table = _table(match)
        fields = parse_fields(match.group("fields"))
        return Plan("create_record", [ToolCall("create_record", {"table": table, "fields": fields})], table)
    match = _UPDATE_RECORD.match(message)
    if match:
        table = _table(match)
        fields = parse_fields(match.group("fields"))
        args = {"table": table, "record_id": match.group("record"), "fields": fields}
        return Plan("update_record", [ToolCall("update_record", args)], table)
    match = _DELETE_RECORD.match(message)
    if match:
        table = _table(match)
        args = {"table": table, "record_id": match.group("record")}
        return Plan("delete_record", [ToolCall("delete_record", args)], table)
    return Plan("help")
