"""HTTP endpoints of api-gateway: /api/health, and every other /api path proxied to its back end."""
from typing import Any, Dict

import client
import server
import telemetry

from . import health, proxy, routing
from .auth import Authenticator, AuthError, Principal

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def register(app: server.App, backends: Dict[str, client.ServiceClient], authenticator: Authenticator) -> None:
    @app.route("GET", "/api/health", public=True)
    def api_health(req: server.Request) -> Any:
        report = health.aggregate(backends)
        return server.Response(200 if report["status"] == "ok" else 503, report)

    def handle(req: server.Request) -> Any:
        try:
            target = routing.resolve(req.path)
        except routing.BadPath as exc:
            raise server.HTTPError(400, "bad path", str(exc)) from None
        if target is None:
            raise server.HTTPError(404, "not found", req.path)
        if routing.is_public(req.path):
            principal = Principal("public")
        else:
            try:
                principal = authenticator.authenticate(req.header("X-API-Key"), req.bearer_token())
            except AuthError as exc:
                raise server.HTTPError(exc.status, exc.error, exc.detail) from None
        response = proxy.forward(req, backends[target.service], target.path, principal)
        if target.path == "/auth/logout" and response.status == 200:
            authenticator.forget(req.bearer_token())
        telemetry.debug("proxied", service=target.service, upstream_path=target.path,
                        upstream_status=response.status, principal=principal.kind, user_id=principal.user_id)
        return response

    for method in METHODS:
        app.route(method, "/api/{rest:path}", public=True)(handle)
