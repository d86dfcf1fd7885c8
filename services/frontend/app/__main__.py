"""frontend: server-rendered login, registration and a dashboard of Tasks, all through api-gateway."""
import checks
import config
import server

from . import routes
from .gateway_client import GatewayClient


def main() -> None:
    settings = config.load(
        service="frontend",
        required=["API_GATEWAY_URL", "AIRTABLE_BASE", "API_KEY"],
        optional={"PORT": 3000, "LOG_LEVEL": "info"},
    )
    app = server.App(settings, max_body_bytes=64 * 1024)
    # Ready when the dashboard's data path works: airtable through the gateway, with the API key.
    app.ready_checks({"api-gateway": checks.http(settings.api_gateway_url, "/api/airtable/meta/bases", settings.api_key)})
    routes.register(app, GatewayClient(settings.api_gateway_url), settings.airtable_base)
    app.serve()


if __name__ == "__main__":
    main()
