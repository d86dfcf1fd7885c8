"""automation-services: workflows of mcp-server tool calls, and file storage, in postgres + UPLOAD_DIR."""
import psycopg2

import checks
import config
import db
import server
import telemetry

from . import routes
from .files import MAX_BYTES, FileStore
from mcp_client import McpClient
from .schema import MigratedDatabase
from .workflows import WorkflowStore

READ_LIMIT_BYTES = MAX_BYTES + 6 * 1024 * 1024


def main() -> None:
    settings = config.load(
        service="automation-services",
        required=["DATABASE_URL", "API_KEY", "MCP_SERVER_URL", "UPLOAD_DIR"],
        optional={"PORT": 8006, "LOG_LEVEL": "info"},
    )
    # Read bodies somewhat past the file limit so FileStore answers the 413: the framework's own
    # early 413 closes the connection unread, which a proxy (api-gateway) sees as a broken pipe.
    app = server.App(settings, max_body_bytes=READ_LIMIT_BYTES)
    database = MigratedDatabase(db.Database(settings.database_url))
    try:
        database.migrate()
    except psycopg2.Error as exc:  # retried before the first query
        telemetry.warning("schema not created at start-up; will retry on first use", error=str(exc))
    files = FileStore(database, settings.upload_dir)
    app.ready_checks({
        "postgres": checks.postgres(settings.database_url),
        "mcp-server": checks.http(settings.mcp_server_url, "/tools", settings.api_key),
        "upload_dir": files.check_dir,
    })
    app.treat_as_unavailable("postgres", psycopg2.OperationalError, psycopg2.InterfaceError)
    routes.register_workflows(app, WorkflowStore(database), McpClient(settings.mcp_server_url, settings.api_key))
    routes.register_files(app, files)
    app.serve()


if __name__ == "__main__":
    main()
