/**
 * Real output, captured from the tools themselves (2026-11, this repository's images and Debian
 * bookworm's python3-psycopg2 2.9 / python3-redis 4.3, dockerd 20.10), and lines quoted in the seed
 * post-mortems (/work/shared/seeds). The classifier tests run on these, not on paraphrases.
 */

/** `docker run` of test/fixtures/broken-images/no-common (and the seed: "ModuleNotFoundError: config"). */
export const NO_COMMON_RUN = `Traceback (most recent call last):
  File "<frozen runpy>", line 198, in _run_module_as_main
  File "<frozen runpy>", line 88, in _run_code
  File "/app/app.py", line 2, in <module>
    import config
ModuleNotFoundError: No module named 'config'`;

/** Seed, critical-infrastructure-failure-analysis.md § Docker Build/Dependency Failures. */
export const SEED_TELEMETRY = `OpenTelemetry initialization failed: No module named 'telemetry'
ModuleNotFoundError: No module named 'telemetry'`;

/** `DOCKER_BUILDKIT=0 docker build test/fixtures/broken-images/editable-outside-context` (ANSI codes as printed). */
export const EDITABLE_BUILD = `Step 6/8 : RUN pip install -r requirements.txt
 ---> Running in f914e50fd001
\u001b[91mERROR: ../pyairtable-common is not a valid editable requirement. It should either be a path to a local project or a VCS URL (beginning with bzr+http, bzr+https, bzr+ssh, bzr+sftp, bzr+ftp, bzr+lp, bzr+file, git+http, git+https, git+ssh, git+git, git+file, hg+file, hg+http, hg+https, hg+ssh, hg+static-http, svn+ssh, svn+http, svn+https, svn+svn, svn+file).
\u001b[0mThe command '/bin/sh -c pip install -r requirements.txt' returned a non-zero code: 1`;

/** pyairtable-common config.load() with nothing set and PORT=abc (services/pyairtable-common/config.py). */
export const CONFIG_MISSING =
  "platform-services: cannot start: missing required environment variables: DATABASE_URL, REDIS_URL, API_KEY, JWT_SECRET; invalid environment variables: PORT='abc' is not an integer";

/** images/redis entrypoint without REDIS_PASSWORD. */
export const REDIS_IMAGE_EMPTY = 'REDIS_PASSWORD is empty: refusing to start redis without a password';

/** platform-services' "not ready" log line with REDIS_URL lacking the password (fixture missing-redis-password). */
export const NOT_READY_NOAUTH =
  '{"ts":"2026-11-23T09:02:11.204Z","level":"warning","service":"platform-services","msg":"not ready","request_id":"4f0c","checks":{"redis":"AuthenticationError: Authentication required."}}';

/** pyairtable-common checks.redis() against the example redis with a wrong password. */
export const CHECK_WRONGPASS = 'ResponseError: WRONGPASS invalid username-password pair or user is disabled.';

/** checks.redis() with a password against a redis that has none configured. */
export const CHECK_AUTH_WITHOUT_SERVER_PASSWORD =
  'ResponseError: AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?';

/** psycopg2 traceback tail, wrong password against the example postgres. */
export const PSYCOPG2_WRONG_PASSWORD = `           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
psycopg2.OperationalError: connection to server at "postgres" (172.20.0.4), port 5432 failed: FATAL:  password authentication failed for user "pyairtable"
`;

/** The example postgres's own log for that attempt. */
export const POSTGRES_SERVER_LOG = `2026-11-23 09:20:36.544 UTC [1] LOG:  database system is ready to accept connections
2026-11-23 09:20:41.297 UTC [55] FATAL:  password authentication failed for user "pyairtable"
2026-11-23 09:20:41.297 UTC [55] DETAIL:  Connection matched pg_hba.conf line 3: "host    all       all   0.0.0.0/0    scram-sha-256"`;

/** checks.postgres() / checks.redis() / checks.http() while the dependency is not listening. */
export const PSYCOPG2_REFUSED = 'connection to server at "postgres" (172.20.0.4), port 5432 failed: Connection refused';
export const REDIS_PY_REFUSED = 'ConnectionError: Error 111 connecting to redis:6379. Connection refused.';
export const HTTP_REFUSED = 'airtable-gateway: cannot reach http://airtable-gateway:8002: [Errno 111] Connection refused';

/** The same checks when the host name does not resolve. */
export const PSYCOPG2_UNRESOLVED = 'could not translate host name "nohost" to address: Name or service not known';
export const REDIS_PY_UNRESOLVED = 'redis.exceptions.ConnectionError: Error -2 connecting to redis-gone:6379. Name or service not known.';
export const HTTP_UNRESOLVED = 'airtable-gateway: cannot reach http://airtable-gateway:8002: [Errno -2] Name or service not known';

/** dockerd 20.10 starting a container whose host port is taken: by a process, and by another container. */
export const PORT_TAKEN_BY_PROCESS =
  'driver failed programming external connectivity on endpoint diagcap-port (3001cd173badbb0019b7b7015266c704012cf0e28b6ed6e7285924e9316b8215): Error starting userland proxy: listen tcp4 127.0.0.1:45871: bind: address already in use';
export const PORT_TAKEN_BY_CONTAINER =
  'driver failed programming external connectivity on endpoint diagcap-port3 (e91d54f69ec5e0d3e19ce555314863ede7c68afbc6b3fb7719f95552dbc8a48d): Bind for 127.0.0.1:45872 failed: port is already allocated';

/** `docker pull` with no registry reachable (this machine). */
export const PULL_NO_REGISTRY =
  'Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host';
