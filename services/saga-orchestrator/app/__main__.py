"""saga-orchestrator: the onboard_user saga across platform-services and airtable-gateway, state in postgres."""
import threading

import psycopg2

import checks
import config
import db
import server
import telemetry

from . import routes, saga_runner
from .backends import Backends
from .saga_store import SagaStore
from .schema import MigratedDatabase

# A live runner saves the saga at least every step timeout (10 s); far longer idle means it died.
ORPHAN_IDLE_S = 60


def _recover_forever(store: SagaStore, backends: Backends, stop: threading.Event, every_s: int) -> None:
    while not stop.wait(every_s):
        try:
            for saga in saga_runner.recover_orphans(store, backends, ORPHAN_IDLE_S):
                telemetry.warning("compensated orphaned saga", saga_id=saga["id"], status=saga["status"])
        except Exception as exc:  # postgres down: try again at the next scan
            telemetry.warning("orphan scan failed", error=str(exc))


def main() -> None:
    settings = config.load(
        service="saga-orchestrator",
        required=["DATABASE_URL", "API_KEY", "PLATFORM_SERVICES_URL", "AIRTABLE_GATEWAY_URL"],
        optional={"PORT": 8008, "LOG_LEVEL": "info", "AIRTABLE_BASE": "", "ORPHAN_SCAN_EVERY_S": 15},
    )
    app = server.App(settings)
    app.ready_checks({
        "postgres": checks.postgres(settings.database_url),
        "platform-services": checks.http(settings.platform_services_url, "/users/0", settings.api_key,
                                         ok_statuses=(200, 404)),
        "airtable-gateway": checks.http(settings.airtable_gateway_url, "/v0/meta/bases", settings.api_key),
    })
    app.treat_as_unavailable("postgres", psycopg2.OperationalError, psycopg2.InterfaceError)
    database = MigratedDatabase(db.Database(settings.database_url))
    try:
        database.migrate()
    except psycopg2.Error as exc:  # retried before the first query
        telemetry.warning("schema not created at start-up; will retry on first use", error=str(exc))
    store = SagaStore(database)
    backends = Backends(settings.platform_services_url, settings.airtable_gateway_url, settings.api_key,
                        settings.airtable_base or None)
    routes.register(app, store, backends)
    stop = threading.Event()
    threading.Thread(target=_recover_forever, args=(store, backends, stop, settings.orphan_scan_every_s), daemon=True, name="saga-recovery").start()
    try:
        app.serve()
    finally:
        stop.set()


if __name__ == "__main__":
    main()
