"""llm-orchestrator: chat turns planned by rules, executed as mcp-server tool calls, kept in redis."""
import redis

import checks
import config
import db
import server

from . import routes
from mcp_client import McpClient
from .sessions import SessionStore


def main() -> None:
    settings = config.load(
        service="llm-orchestrator",
        required=["REDIS_URL", "API_KEY", "MCP_SERVER_URL", "AIRTABLE_BASE"],
        optional={"PORT": 8003, "LOG_LEVEL": "info"},
    )
    app = server.App(settings)
    app.ready_checks({
        "redis": checks.redis(settings.redis_url),
        "mcp-server": checks.http(settings.mcp_server_url, "/tools", settings.api_key),
    })
    app.treat_as_unavailable("redis", redis.RedisError)
    sessions = SessionStore(db.redis_client(settings.redis_url))
    routes.register(app, sessions, McpClient(settings.mcp_server_url, settings.api_key), settings.airtable_base)
    app.serve()


if __name__ == "__main__":
    main()
