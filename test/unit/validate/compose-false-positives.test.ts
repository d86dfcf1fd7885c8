/**
 * Issue 11, classes 2–7: compose files as people write them must not get false errors. Each case is
 * the minimal file of the class, validated with every rule; the expectation lists code, service and
 * line of every finding (so a new false positive fails the test as surely as a missed finding).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStack } from '../../../src/load/load.js';
import { validateStack } from '../../../src/validate/validate.js';
import type { Diagnostic } from '../../../src/diagnostic.js';
import { importCompose } from '../../../src/compose/import-compose.js';
import { parseYamlSource } from '../../../src/config/yaml-source.js';
import { readFileSync } from 'node:fs';

const work = mkdtempSync(path.join(tmpdir(), 'stackctl-false-positives-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;

/** Writes a project (compose file + extra files) and returns every finding of loading and validating it. */
async function check(compose: string[], files: Record<string, string> = {}, env: Record<string, string> = {}): Promise<Diagnostic[]> {
  const dir = path.join(work, `p${++counter}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'compose.yaml'), `${compose.join('\n')}\n`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  const loaded = await loadStack(path.join(dir, 'compose.yaml'), { env, cwd: dir });
  const found = [...loaded.diagnostics];
  if (loaded.stack) found.push(...(await validateStack(loaded.stack, { checkHostPorts: false })));
  return found.filter((d) => d.severity !== 'info');
}

const brief = (ds: Diagnostic[]): string[] => ds.map((d) => `${d.severity} ${d.code} ${d.service ?? '-'} ${d.location.line}`);

describe('class 2: things that are not hosts', () => {
  it('listen wildcards (http://+:80, http://*:8080, 0.0.0.0, [::]) are not hosts', async () => {
    const found = await check([
      'services:',
      '  web:',
      '    image: mcr.microsoft.com/dotnet/aspnet:8.0',
      '    environment:',
      '      ASPNETCORE_URLS: http://+:80',
      '      METRICS_URL: http://*:8080/metrics',
      '      GRPC_LISTEN: "http://0.0.0.0:5001"',
      '      ADMIN_ADDR: "http://[::]:9000"',
    ]);
    expect(brief(found)).toEqual([]);
  });

  it('s3://bucket?endpoint=http://minio:9000: the bucket is no host, the endpoint is', async () => {
    const found = await check([
      'services:',
      '  minio:',
      '    image: minio/minio',
      '    command: server /data --console-address ":9001"',
      '  app:',
      '    image: example/app',
      '    depends_on: [minio]',
      '    environment:',
      '      STORAGE_URL: s3://uploads?endpoint=http://minio:9000&region=us-east-1',
      '      BACKUP_URL: s3://backups?endpoint=http://minoi:9000',
    ]);
    expect(brief(found)).toEqual(['error URL001 app 10']);
    expect(found[0]!.message).toMatch(/"minoi".*did you mean "minio"/);
  });

  it('sqlite:///, file:// and unix:// name paths', async () => {
    const found = await check([
      'services:',
      '  app:',
      '    image: example/app',
      '    environment:',
      '      DATABASE_URL: sqlite:///data/app.db',
      '      EXPORT_DIR: file://exports/out',
      '      DOCKER_HOST: unix://var/run/docker.sock',
    ]);
    expect(brief(found)).toEqual([]);
  });

  it('browser-side origins are reached by a browser, not by the container', async () => {
    const found = await check([
      'services:',
      '  api:',
      '    image: example/api',
      '    environment:',
      '      CORS_ORIGINS: http://localhost:3000,http://frontend-dev:3000',
      '      CSRF_TRUSTED_ORIGINS: https://app.example.com',
      '  web:',
      '    image: example/web',
      '    environment:',
      '      NEXT_PUBLIC_API_URL: http://localhost:8000',
      '      VITE_WS_URL: ws://api-public:8000/ws',
      '      PUBLIC_URL: http://localhost:3000',
      '      API_URL: http://localhost:8000',
    ]);
    // Only the server-side API_URL is the container's own loopback.
    expect(brief(found)).toEqual(['warning URL004 web 13']);
  });
});

describe("class 3: a service's own listeners", () => {
  it('KAFKA_LISTENERS, --port and PORT= count as the ports a service listens on', async () => {
    const found = await check([
      'services:',
      '  kafka:',
      '    image: bitnami/kafka:3.7',
      '    ports: ["9092:9092"]',
      '    environment:',
      '      KAFKA_CFG_LISTENERS: INTERNAL://0.0.0.0:9093,EXTERNAL://0.0.0.0:9092,CONTROLLER://:9094',
      '      KAFKA_CFG_ADVERTISED_LISTENERS: INTERNAL://kafka:9093,EXTERNAL://localhost:9092',
      '  api:',
      '    image: example/api',
      '    command: uvicorn main:app --host 0.0.0.0 --port 8001',
      '    ports: ["80:8000"]',
      '  worker:',
      '    image: example/worker',
      '    ports: ["9100:9100"]',
      '    environment: { PORT: "3030" }',
      '  client:',
      '    image: example/client',
      '    depends_on: { kafka: { condition: service_started }, api: { condition: service_started }, worker: { condition: service_started } }',
      '    environment:',
      '      KAFKA_URL: kafka://kafka:9093',
      '      API_URL: http://api:8001',
      '      WORKER_URL: http://worker:3030',
      '      WRONG_URL: http://worker:4040',
    ]);
    expect(brief(found)).toEqual(['error URL002 client 23']);
    expect(found[0]!.message).toMatch(/worker listens on 3030, 9100/);
  });

  it('expose and a healthcheck on localhost:PORT declare listeners too', async () => {
    const found = await check([
      'services:',
      '  search:',
      '    image: example/search',
      '    expose: ["7700"]',
      '    ports: ["7701:7701"]',
      '  metrics:',
      '    image: example/metrics',
      '    ports: ["9090:9090"]',
      '    healthcheck:',
      '      test: ["CMD", "wget", "-qO-", "http://localhost:9091/-/ready"]',
      '  app:',
      '    image: example/app',
      '    depends_on: { search: { condition: service_started }, metrics: { condition: service_started } }',
      '    environment:',
      '      SEARCH_URL: http://search:7700',
      '      METRICS_URL: http://metrics:9091',
    ]);
    expect(brief(found)).toEqual([]);
  });

  it('localhost is right under network_mode: host, and for a service\'s own port', async () => {
    const found = await check([
      'services:',
      '  dns:',
      '    image: example/dns',
      '    network_mode: host',
      '    environment: { UPSTREAM_URL: "http://localhost:5380" }',
      '  app:',
      '    image: example/app',
      '    environment: { PORT: "4000", SELF_URL: "http://localhost:4000/health" }',
    ]);
    expect(brief(found)).toEqual([]);
  });
});

describe('class 4: credentials', () => {
  const server = [
    'services:',
    '  db:',
    '    image: postgres:16',
    '    environment: { POSTGRES_USER: admin, POSTGRES_PASSWORD: "${DB_ROOT_PASSWORD}" }',
    '    volumes: ["./initdb:/docker-entrypoint-initdb.d:ro"]',
    '    healthcheck: { test: ["CMD-SHELL", "pg_isready -U admin"], interval: 5s }',
  ];
  const client = (url: string): string[] => [
    '  app:',
    '    image: example/app',
    '    depends_on: { db: { condition: service_healthy } }',
    `    environment: { DATABASE_URL: "${url}" }`,
  ];

  it('users and databases created by init scripts (*.sql, *.sh) are known', async () => {
    const sql = await check([...server, ...client('postgresql://grafana:pw@db:5432/grafana')], {
      'initdb/01-users.sql': "CREATE USER grafana WITH PASSWORD 'pw';\nCREATE DATABASE grafana OWNER grafana;\n",
    }, { DB_ROOT_PASSWORD: 'root-pw' });
    expect(brief(sql)).toEqual([]);
    const sh = await check([...server.slice(0, 3), '    environment: { POSTGRES_USER: admin, POSTGRES_PASSWORD: "${DB_ROOT_PASSWORD}", APP_USER: keycloak }', ...server.slice(4), ...client('postgresql://keycloak:pw@db:5432/keycloak')], {
      'initdb/init.sh': '#!/bin/bash\nset -e\npsql -v ON_ERROR_STOP=1 <<-EOSQL\n  CREATE USER $APP_USER WITH PASSWORD \'pw\';\n  CREATE DATABASE keycloak;\nEOSQL\n',
    }, { DB_ROOT_PASSWORD: 'root-pw' });
    expect(brief(sh)).toEqual([]);
    const unknown = await check([...server, ...client('postgresql://nobody:pw@db:5432/admin')], { 'initdb/01-users.sql': 'CREATE ROLE grafana;\n' }, { DB_ROOT_PASSWORD: 'root-pw' });
    expect(brief(unknown)).toEqual(['error CRED002 app 10']);
    expect(unknown[0]!.message).toMatch(/init scripts create no such user/);
  });

  it('a URL carrying an unset ${REDIS_PASSWORD} is one ENV001 finding pointing at .env.example, not one per client', async () => {
    const found = await check(
      [
        'services:',
        '  redis:',
        '    image: redis:7-alpine',
        '    command: ["redis-server", "--requirepass", "${REDIS_PASSWORD}"]',
        '  worker:',
        '    image: example/worker',
        '    depends_on: { redis: { condition: service_started } }',
        '    environment: { REDIS_URL: "redis://:${REDIS_PASSWORD}@redis:6379/0" }',
        '  web:',
        '    image: example/web',
        '    depends_on: { redis: { condition: service_started } }',
        '    environment:',
        '      - CACHE_URL=redis://:${REDIS_PASSWORD}@redis:6379/1',
      ],
      { '.env.example': '# copy to .env\nREDIS_PASSWORD=\n' },
    );
    expect(brief(found)).toEqual(['error ENV001 redis 4']);
    expect(found[0]!.message).toMatch(/used in 3 places/);
    expect(found[0]!.occurrences?.map((o) => `${o.service} ${o.location.line}`)).toEqual(['redis 4', 'worker 8', 'web 13']);
    expect(found[0]!.hint).toMatch(/\.env\.example documents REDIS_PASSWORD \(line 2\)/);
  });
});

describe('class 5: optional variables and shared causes', () => {
  it('an unset ${VAR} that only feeds a plain value is a warning; credential, URL and port are errors', async () => {
    const found = await check([
      'services:',
      '  app:',
      '    image: example/app',
      '    ports: ["${APP_PORT}:8000"]',
      '    environment:',
      '      LOG_FORMAT: ${LOG_FORMAT}',
      '      SENTRY_DSN: ${SENTRY_DSN}',
      '      UPSTREAM_URL: http://${UPSTREAM_HOST}:8080',
      '      OPTIONAL_FLAG: ${OPTIONAL_FLAG:-}',
      '      TIMEZONE: ${TZ:?set TZ}',
    ], {}, { TZ: 'UTC' });
    // SENTRY_DSN is the whole value: empty is how Sentry is switched off (a warning); UPSTREAM_URL is a broken URL.
    expect(brief(found)).toEqual(['error ENV001 app 4', 'warning ENV001 app 6', 'warning ENV001 app 7', 'error ENV001 app 8']);
  });

  it('one unset variable in a YAML anchor merged into many services is one finding with its count', async () => {
    const services = Array.from({ length: 21 }, (_, i) => [`  worker-${i + 1}:`, '    <<: *defaults', `    command: ["run", "queue-${i + 1}"]`]).flat();
    const found = await check(['x-defaults: &defaults', '  image: example/worker', '  environment:', '    SENTRY_ENVIRONMENT: ${SENTRY_ENVIRONMENT}', 'services:', ...services]);
    expect(brief(found)).toEqual(['warning ENV001 worker-1 4']);
    expect(found[0]!.message).toMatch(/21 services/);
  });

  it('one wrong URL in an anchor is reported once for all the services sharing it', async () => {
    const services = Array.from({ length: 5 }, (_, i) => [`  job-${i + 1}:`, '    <<: *job']).flat();
    const found = await check([
      'x-job: &job',
      '  image: example/job',
      '  depends_on: { api: { condition: service_started } }',
      '  environment: { API_URL: "http://apii:8000" }',
      'services:',
      '  api:',
      '    image: example/api',
      '    expose: ["8000"]',
      ...services,
    ]);
    expect(brief(found)).toEqual(['error URL001 job-1 4']);
    expect(found[0]!.occurrences).toHaveLength(5);
    expect(found[0]!.message).toMatch(/shared by 5 services \(job-1, job-2, job-3, job-4, job-5\)/);
  });
});

describe('class 6 and 7: deliberate choices and healthcheck tools', () => {
  it('an explicit condition: service_started is a choice; a plain list to a database is not', async () => {
    const found = await check([
      'services:',
      '  db:',
      '    image: postgres:16',
      '    environment: { POSTGRES_PASSWORD: "${PGPW:?}" }',
      '  migrate:',
      '    image: example/app',
      '    depends_on: { db: { condition: service_started } }',
      '  app:',
      '    image: example/app',
      '    depends_on: [db]',
    ], {}, { PGPW: 'x7' });
    expect(brief(found)).toEqual(['warning COMPOSE102 db 2', 'warning COMPOSE101 app 10']);
    expect(found[0]!.message).toMatch(/app cannot wait/);
  });

  it('a healthcheck that installs its tool first has it; nginx:alpine ships curl; python:slim does not', async () => {
    const found = await check([
      'services:',
      '  api:',
      '    image: python:3.12-alpine',
      '    healthcheck: { test: ["CMD-SHELL", "apk add --no-cache curl && curl -fsS http://localhost:8000/health"] }',
      '  proxy:',
      '    image: nginx:1.27-alpine',
      '    healthcheck: { test: ["CMD", "curl", "-f", "http://localhost/"] }',
      '  worker:',
      '    image: python:3.12-slim',
      '    healthcheck: { test: ["CMD", "curl", "-f", "http://localhost:9000/"] }',
      '  other:',
      '    image: ghcr.io/example/tool:1',
      '    healthcheck: { test: ["CMD", "wget", "-qO-", "http://localhost:9000/"] }',
    ]);
    expect(brief(found)).toEqual(['error COMPOSE104 worker 10']);
  });

  it('a healthcheck that proves nothing is flagged and never a readiness probe', async () => {
    const dir = await check([
      'services:',
      '  worker:',
      '    image: example/worker',
      '    healthcheck: { test: ["CMD-SHELL", "exit 0"] }',
      '  beat:',
      '    image: python:3.12',
      '    healthcheck:',
      '      test: ["CMD", "python", "-c", "import sys; sys.exit(0)"]',
      '  sidecar:',
      '    image: busybox',
      '    healthcheck: { test: "true" }',
      '  app:',
      '    image: example/app',
      '    depends_on: { worker: { condition: service_healthy } }',
    ]);
    expect(brief(dir)).toEqual(['warning COMPOSE108 worker 4', 'warning COMPOSE108 beat 8', 'warning COMPOSE108 sidecar 11']);
    expect(dir[0]!.message).toMatch(/app waits for "healthy" and gets no guarantee/);
    const loaded = await loadStack(path.join(work, `p${counter}`, 'compose.yaml'), { env: {} });
    expect(loaded.stack!.services.map((s) => s.readiness)).toEqual([undefined, undefined, undefined, undefined]);
    // `stackctl import` does not turn it into a probe either, and says so.
    const file = path.join(work, `p${counter}`, 'compose.yaml');
    const imported = importCompose(parseYamlSource(readFileSync(file, 'utf8'), file), { outputFile: path.join(work, `p${counter}`, 'stack.yaml') });
    expect(imported.text).not.toMatch(/readiness:/);
    expect(imported.notes.filter((n) => /proves nothing/.test(n.message))).toHaveLength(3);
  });
});

describe('class 1 (warning side): guessable secrets', () => {
  it('a secret equal to a service name, its user or a well-known default is a warning, without the value', async () => {
    const found = await check([
      'services:',
      '  app:',
      '    image: example/app',
      '    environment:',
      '      POSTGRES_PASSWORD: app',
      '      MYSQL_USER: wordpress',
      '      MYSQL_PASSWORD: wordpress',
      '      MINIO_ROOT_PASSWORD: changeme',
      '      JWT_SECRET: 9f86d081884c7d659a2feaa0c55ad015',
      '      ADMIN_PASSWORD_FILE: /run/secrets/admin',
      '      SESSION_SECRET: ${SESSION_SECRET:-secret}',
    ]);
    expect(brief(found)).toEqual(['warning CRED005 app 5', 'warning CRED005 app 7', 'warning CRED005 app 8', 'warning COMPOSE103 app 11']);
    expect(found.map((d) => d.message).join('\n')).not.toMatch(/changeme/);
    expect(found[0]!.message).toMatch(/the name of the service app/);
    expect(found[1]!.message).toMatch(/its user \(MYSQL_USER\)/);
  });
});
