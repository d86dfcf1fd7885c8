"""JSON-RPC 2.0 client for mcp-server's POST /rpc (tools/list, tools/call)."""
import itertools
from typing import Any, Dict, List

import client

_ids = itertools.count(1)


class ToolError(Exception):
    """The tool call was answered with a JSON-RPC error (or a result flagged isError)."""

    def __init__(self, code: int, message: str, data: Any = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.data = data

    def as_error(self) -> Dict[str, Any]:
        return {"code": self.code, "message": self.message, "data": self.data}


class McpClient:
    def __init__(self, base_url: str, api_key: str, timeout: float = 15.0):
        self._http = client.ServiceClient(base_url, api_key, timeout=timeout, name="mcp-server")

    def _rpc(self, method: str, params: Dict[str, Any]) -> Any:
        """The JSON-RPC result; ToolError for an `error` answer, client.UpstreamError for transport/HTTP failures."""
        request_id = next(_ids)
        payload = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}
        answer = self._http.call("POST", "/rpc", json_body=payload)
        if not isinstance(answer, dict) or answer.get("jsonrpc") != "2.0" or answer.get("id") != request_id:
            raise client.UpstreamError("mcp-server", "answer is not a JSON-RPC 2.0 response to our request",
                                       body=answer)
        if "error" in answer:
            error = answer["error"] if isinstance(answer["error"], dict) else {}
            raise ToolError(int(error.get("code", -32000)), str(error.get("message", "unknown error")),
                            error.get("data"))
        return answer.get("result")

    def list_tools(self) -> List[Dict[str, Any]]:
        return (self._rpc("tools/list", {}) or {}).get("tools", [])

    def call_tool(self, name: str, arguments: Dict[str, Any]) -> Any:
        """The tool's JSON result (`content[0].json`)."""
        result = self._rpc("tools/call", {"name": name, "arguments": arguments}) or {}
        content = result.get("content") or []
        value = next((item.get("json") for item in content if isinstance(item, dict) and item.get("type") == "json"),
                     None)
        if value is None:
            value = next((item.get("text") for item in content if isinstance(item, dict) and "text" in item), None)
        if result.get("isError"):
            message = value.get("message") if isinstance(value, dict) and "message" in value else str(value)
            raise ToolError(-32000, message, value)
        return value
