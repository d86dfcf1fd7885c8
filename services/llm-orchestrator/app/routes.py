"""HTTP endpoints of llm-orchestrator: /chat and /sessions/{id}."""
from typing import Any

import client
import server

from . import chat
from .sessions import SessionStore

MAX_MESSAGE_CHARS = 4000


def register(app: server.App, sessions: SessionStore, mcp: Any, base_id: str) -> None:
    @app.route("POST", "/chat")
    def post_chat(req: server.Request) -> Any:
        body = req.json()
        message = body.get("message")
        if not isinstance(message, str) or not message.strip():
            raise server.HTTPError(400, "message must be a non-empty string")
        if len(message) > MAX_MESSAGE_CHARS:
            raise server.HTTPError(400, f"message is longer than {MAX_MESSAGE_CHARS} characters")
        session_id = body.get("session_id")
        if session_id is None:
            session_id = sessions.new_id()
        elif not isinstance(session_id, str) or not sessions.valid_id(session_id) or not sessions.exists(session_id):
            raise server.HTTPError(404, "session not found", session_id)

        # The user's message is stored before any tool runs: with redis down, nothing is done at all.
        sessions.append(session_id, [{"role": "user", "content": message}])
        try:
            turn = chat.run_turn(message, mcp.call_tool, base_id)
        except client.UpstreamError as exc:
            sessions.append(session_id, [{"role": "assistant", "content": f"mcp-server could not be reached: {exc}"}])
            raise server.HTTPError(502, "mcp-server call failed", {"message": str(exc), "status": exc.status,
                                                                   "body": exc.body}) from None
        sessions.append(session_id, [
            {"role": "assistant", "content": turn["reply"],
             "tool_calls": [{"name": c["name"], "arguments": c["arguments"]} for c in turn["tool_calls"]]},
        ])
        return {"session_id": session_id, "reply": turn["reply"], "tool_calls": turn["tool_calls"]}

    @app.route("GET", "/sessions/{id}")
    def get_session(req: server.Request) -> Any:
        session_id = req.params["id"]
        messages = sessions.messages(session_id) if sessions.valid_id(session_id) else None
        if messages is None:
            raise server.HTTPError(404, "session not found", session_id)
        return {"session_id": session_id, "messages": messages}

    @app.route("DELETE", "/sessions/{id}")
    def delete_session(req: server.Request) -> Any:
        session_id = req.params["id"]
        if not sessions.valid_id(session_id) or not sessions.delete(session_id):
            raise server.HTTPError(404, "session not found", session_id)
        return {"session_id": session_id, "deleted": True}
