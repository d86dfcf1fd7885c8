"""JSON-RPC 2.0 envelope handling: validation, batches, notifications, error objects."""
from typing import Any, Callable, Dict, List, Optional

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
UPSTREAM_FAILURE = -32000


class RpcError(Exception):
    def __init__(self, code: int, message: str, data: Any = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def to_dict(self) -> Dict[str, Any]:
        error: Dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


def error_response(request_id: Any, error: RpcError) -> Dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "error": error.to_dict()}


Dispatch = Callable[[str, Any], Any]


def _handle_one(message: Any, dispatch: Dispatch) -> Optional[Dict[str, Any]]:
    """The response to one request, or None for a notification (a request without "id")."""
    if not isinstance(message, dict):
        return error_response(None, RpcError(INVALID_REQUEST, "Invalid Request"))
    request_id = message.get("id")
    is_notification = "id" not in message
    if (message.get("jsonrpc") != "2.0" or not isinstance(message.get("method"), str)
            or not isinstance(request_id, (str, int, type(None))) or isinstance(request_id, bool)
            or not isinstance(message.get("params", {}), (dict, list))):
        return error_response(request_id if isinstance(request_id, (str, int)) else None,
                              RpcError(INVALID_REQUEST, "Invalid Request"))
    try:
        result = dispatch(message["method"], message.get("params", {}))
    except RpcError as exc:
        return None if is_notification else error_response(request_id, exc)
    return None if is_notification else {"jsonrpc": "2.0", "id": request_id, "result": result}


def handle(payload: Any, dispatch: Dispatch) -> Any:
    """A single request or a batch (list) → its response(s); None when nothing is to be answered."""
    if isinstance(payload, list):
        if not payload:
            return error_response(None, RpcError(INVALID_REQUEST, "Invalid Request: empty batch"))
        responses: List[Dict[str, Any]] = [r for r in (_handle_one(m, dispatch) for m in payload) if r is not None]
        return responses or None
    return _handle_one(payload, dispatch)
