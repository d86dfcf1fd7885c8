"""HTTP endpoints of saga-orchestrator: POST /sagas runs a saga to its end; GET reads the persisted state."""
from typing import Any

import server

from . import saga_runner, saga_steps
from .saga_store import SagaStore

STATUSES = ("running", "compensating", "completed", "compensated", "failed")


def register(app: server.App, store: SagaStore, backends: Any) -> None:
    @app.route("POST", "/sagas")
    def start(req: server.Request) -> Any:
        body = req.json()
        problems = saga_steps.validate(body)
        if problems:
            raise server.HTTPError(400, "invalid saga", problems)
        saga = store.create(body["type"], body["payload"], body.get("fail_at"))
        return server.Response(201, saga_runner.run(saga, body["payload"], backends, store))

    @app.route("GET", "/sagas")
    def list_all(req: server.Request) -> Any:
        status = req.query.get("status")
        if status is not None and status not in STATUSES:
            raise server.HTTPError(400, "invalid status filter", list(STATUSES))
        try:
            limit = min(max(int(req.query.get("limit", "100")), 1), 1000)
        except ValueError:
            raise server.HTTPError(400, "limit must be an integer") from None
        return {"sagas": store.list(limit, status)}

    @app.route("GET", "/sagas/{id}")
    def get_one(req: server.Request) -> Any:
        saga = store.get(req.params["id"])
        if saga is None:
            raise server.HTTPError(404, "saga not found", req.params["id"])
        return saga
