"""api-gateway: one authenticated entry point in front of the six HTTP back ends."""
import checks
import client
import config
import server

from . import routes
from .auth import Authenticator

# Back end -> (variable holding its URL, a GET path that requires the API key, statuses meaning "answers").
BACKENDS = {
    "platform-services": ("PLATFORM_SERVICES_URL", "/users/0", (200, 404)),
    "airtable-gateway": ("AIRTABLE_GATEWAY_URL", "/v0/meta/bases", (200,)),
    "mcp-server": ("MCP_SERVER_URL", "/tools", (200,)),
    "llm-orchestrator": ("LLM_ORCHESTRATOR_URL", "/sessions/ready-check", (404,)),
    "automation-services": ("AUTOMATION_SERVICES_URL", "/workflows", (200,)),
    "saga-orchestrator": ("SAGA_ORCHESTRATOR_URL", "/sagas?limit=1", (200,)),
}
# Files up to automation-services' 10 MiB limit pass; that service gives the precise 413.
MAX_BODY_BYTES = 11 * 1024 * 1024


def main() -> None:
    settings = config.load(
        service="api-gateway",
        required=["API_KEY", "JWT_SECRET"] + [variable for variable, _, _ in BACKENDS.values()],
        optional={"PORT": 8000, "LOG_LEVEL": "info"},
    )
    app = server.App(settings, max_body_bytes=MAX_BODY_BYTES)
    backends = {name: client.ServiceClient(settings.get(variable), settings.api_key, name=name)
                for name, (variable, _, _) in BACKENDS.items()}
    app.ready_checks({name: checks.http(settings.get(variable), path, settings.api_key, ok_statuses=ok)
                      for name, (variable, path, ok) in BACKENDS.items()})
    platform = backends["platform-services"]

    def validate_session(token: str):
        try:
            resp = platform.get("/auth/validate", headers={"Authorization": f"Bearer {token}"}, timeout=5)
        except client.UpstreamError:
            return 0, None
        return resp.status, resp.json()

    routes.register(app, backends, Authenticator(settings.api_key, settings.jwt_secret, validate_session))
    app.serve()


if __name__ == "__main__":
    main()
