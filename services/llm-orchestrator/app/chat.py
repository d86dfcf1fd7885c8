"""One chat turn: plan the message, run the planned tool calls on mcp-server, phrase the reply."""
from typing import Any, Callable, Dict, List

from . import planner
from mcp_client import ToolError

ToolCaller = Callable[[str, Dict[str, Any]], Any]


def run_turn(message: str, call_tool: ToolCaller, base_id: str) -> Dict[str, Any]:
    """{"reply", "tool_calls": [{name, arguments, result | error}]}.

    Transport failures from `call_tool` (mcp-server unreachable) propagate to the caller; a tool's
    own error is reported in the reply and in that call's `error`.
    """
    try:
        the_plan = planner.plan(message, base_id)
    except planner.PlanError as exc:
        return {"reply": f"I understood the command but not its fields: {exc}", "tool_calls": []}
    if not the_plan.calls:
        return {"reply": planner.HELP_TEXT, "tool_calls": []}

    calls: List[Dict[str, Any]] = []
    replies: List[str] = []
    for call in the_plan.calls:
        entry: Dict[str, Any] = {"name": call.name, "arguments": call.arguments}
        try:
            result = call_tool(call.name, call.arguments)
        except ToolError as exc:
            entry["result"] = None
            entry["error"] = exc.as_error()
            calls.append(entry)
            replies.append(f"The {call.name} tool failed: {_reason(exc)}")
            break
        entry["result"] = result
        calls.append(entry)
        replies.append(describe(call.name, call.arguments, result))
    return {"reply": "\n".join(replies), "tool_calls": calls}


def _reason(exc: ToolError) -> str:
    """The most specific message available: the upstream API's own (e.g. "Record recX not found")."""
    data = exc.data if isinstance(exc.data, dict) else {}
    body = data.get("body") if isinstance(data.get("body"), dict) else {}
    error = body.get("error")
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return error["message"]
    if isinstance(body.get("detail"), str):
        return f"{error}: {body['detail']}" if isinstance(error, str) else body["detail"]
    return exc.message


def _fields_text(fields: Any) -> str:
    if not isinstance(fields, dict) or not fields:
        return "(no fields)"
    return ", ".join(f"{name}={value}" for name, value in fields.items())


def describe(tool: str, arguments: Dict[str, Any], result: Any) -> str:
    """A short human sentence for a tool's result."""
    table = arguments.get("table", "")
    result = result if isinstance(result, dict) else {}
    if tool == "list_bases":
        bases = result.get("bases", [])
        names = ", ".join(f"{b.get('name')} ({b.get('id')})" for b in bases)
        return f"{len(bases)} base(s): {names}" if bases else "There are no bases."
    if tool == "list_tables":
        tables = result.get("tables", [])
        lines = [f"- {t.get('name')} ({', '.join(f.get('name', '') for f in t.get('fields', []))})" for t in tables]
        return f"{len(tables)} table(s):\n" + "\n".join(lines) if tables else "The base has no tables."
    if tool == "list_records":
        records = result.get("records", [])
        if not records:
            return f"{table} has no records."
        lines = [f"- {r.get('id')}: {_fields_text(r.get('fields'))}" for r in records]
        more = " (more pages available)" if result.get("offset") else ""
        return f"{len(records)} record(s) in {table}{more}:\n" + "\n".join(lines)
    if tool == "get_record":
        return f"Record {result.get('id')} in {table}: {_fields_text(result.get('fields'))}"
    if tool == "create_record":
        return f"Created record {result.get('id')} in {table}: {_fields_text(result.get('fields'))}"
    if tool == "update_record":
        return f"Updated record {result.get('id')} in {table}: {_fields_text(result.get('fields'))}"
    if tool == "delete_record":
        return f"Deleted record {result.get('id', arguments.get('record_id'))} from {table}."
    return f"{tool} done."
