"""HTTP endpoints of automation-services: /workflows and /files."""
import urllib.parse
from typing import Any

import server

from .files import FileError, FileStore
from .workflows import WorkflowError, WorkflowStore


def _http_error(exc: Any) -> server.HTTPError:
    return server.HTTPError(exc.status, exc.error, exc.detail)


def _content_disposition(name: str) -> str:
    # An ASCII fallback for old clients plus the exact UTF-8 name (RFC 6266 / 5987).
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{urllib.parse.quote(name, safe='')}"


def register_workflows(app: server.App, store: WorkflowStore, mcp: Any) -> None:
    @app.route("POST", "/workflows")
    def create(req: server.Request) -> Any:
        try:
            return server.Response(201, store.create(req.json()))
        except WorkflowError as exc:
            raise _http_error(exc) from None

    @app.route("GET", "/workflows")
    def list_all(req: server.Request) -> Any:
        return {"workflows": store.list()}

    @app.route("GET", "/workflows/{id}")
    def get_one(req: server.Request) -> Any:
        try:
            return store.get(req.params["id"])
        except WorkflowError as exc:
            raise _http_error(exc) from None

    @app.route("PUT", "/workflows/{id}")
    def replace(req: server.Request) -> Any:
        try:
            return store.replace(req.params["id"], req.json())
        except WorkflowError as exc:
            raise _http_error(exc) from None

    @app.route("DELETE", "/workflows/{id}")
    def delete(req: server.Request) -> Any:
        try:
            return store.delete(req.params["id"])
        except WorkflowError as exc:
            raise _http_error(exc) from None

    @app.route("POST", "/workflows/{id}/run")
    def run(req: server.Request) -> Any:
        try:
            return server.Response(201, store.run(req.params["id"], mcp.call_tool))
        except WorkflowError as exc:
            raise _http_error(exc) from None

    @app.route("GET", "/workflows/{id}/runs")
    def runs(req: server.Request) -> Any:
        try:
            return {"runs": store.runs(req.params["id"])}
        except WorkflowError as exc:
            raise _http_error(exc) from None


def register_files(app: server.App, store: FileStore) -> None:
    @app.route("POST", "/files")
    def upload(req: server.Request) -> Any:
        try:
            return server.Response(201, store.save(req.query.get("name"), req.body))
        except FileError as exc:
            raise _http_error(exc) from None

    @app.route("GET", "/files")
    def list_all(req: server.Request) -> Any:
        return {"files": store.list()}

    @app.route("GET", "/files/{id}")
    def download(req: server.Request) -> Any:
        try:
            meta, data = store.read(req.params["id"])
        except FileError as exc:
            raise _http_error(exc) from None
        headers = {"Content-Disposition": _content_disposition(meta["name"]), "X-Content-SHA256": meta["sha256"]}
        return server.Response(200, data, headers, content_type=meta["content_type"])

    @app.route("DELETE", "/files/{id}")
    def delete(req: server.Request) -> Any:
        try:
            return store.delete(req.params["id"])
        except FileError as exc:
            raise _http_error(exc) from None
