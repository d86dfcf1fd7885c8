"""mcp-server: MCP-style tools over JSON-RPC 2.0 (POST /rpc) acting on airtable-gateway."""
import json
from typing import Any, Dict

import checks
import client
import config
import server
import telemetry
import jsonrpc
from jsonrpc import RpcError
from tools import TOOL_DEFINITIONS, AirtableTools, InvalidParams, UpstreamFailure

PROTOCOL_VERSION = "2024-11-05"
SERVER_INFO = {"name": "mcp-server", "version": "1.0.0"}

settings = config.load(
    service="mcp-server",
    required=["AIRTABLE_GATEWAY_URL", "API_KEY", "AIRTABLE_BASE"],
    optional={"PORT": 8001, "LOG_LEVEL": "info"},
)
app = server.App(settings)
# /v0/meta/bases requires the API key, so a gateway that rejects ours makes us not ready.
app.ready_checks({"airtable-gateway": checks.http(settings.airtable_gateway_url, "/v0/meta/bases", settings.api_key)})
airtable = AirtableTools(client.ServiceClient(settings.airtable_gateway_url, settings.api_key,
                                              name="airtable-gateway"), settings.airtable_base)


def call_tool(params: Any) -> Dict[str, Any]:
    if not isinstance(params, dict) or not isinstance(params.get("name"), str):
        raise RpcError(jsonrpc.INVALID_PARAMS, "params.name (the tool) is required")
    name, arguments = params["name"], params.get("arguments", {})
    if not airtable.exists(name):
        raise RpcError(jsonrpc.METHOD_NOT_FOUND, f"Unknown tool: {name}")
    timer = telemetry.Timer()
    try:
        result = airtable.call(name, arguments)
    except InvalidParams as exc:
        raise RpcError(jsonrpc.INVALID_PARAMS, str(exc)) from None
    except UpstreamFailure as exc:
        telemetry.warning("tool failed", tool=name, error=str(exc), upstream_status=exc.status,
                          duration_ms=timer.elapsed_ms())
        raise RpcError(jsonrpc.UPSTREAM_FAILURE, str(exc), {"status": exc.status, "body": exc.body}) from None
    telemetry.info("tool called", tool=name, duration_ms=timer.elapsed_ms())
    return {"content": [{"type": "json", "json": result}], "isError": False}


def dispatch(method: str, params: Any) -> Any:
    if method == "tools/list":
        return {"tools": TOOL_DEFINITIONS}
    if method == "tools/call":
        return call_tool(params)
    if method == "initialize":
        return {"protocolVersion": PROTOCOL_VERSION, "serverInfo": SERVER_INFO, "capabilities": {"tools": {}}}
    if method == "ping":
        return {}
    if method.startswith("notifications/"):
        return None
    raise RpcError(jsonrpc.METHOD_NOT_FOUND, f"Method not found: {method}")


@app.route("GET", "/tools")
def list_tools(req: server.Request) -> Any:
    return {"tools": TOOL_DEFINITIONS}


@app.route("POST", "/rpc")
def rpc(req: server.Request) -> Any:
    try:
        payload = json.loads(req.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return jsonrpc.error_response(None, RpcError(jsonrpc.PARSE_ERROR, "Parse error"))
    answer = jsonrpc.handle(payload, dispatch)
    if answer is None:
        return server.Response(202)  # only notifications: nothing to answer
    return answer


if __name__ == "__main__":
    app.serve()
