import { describe, expect, it } from 'vitest';
import { emptyService, type Service, type Stack } from '../../../src/config/model.js';
import { RULES, classifyLines, classifyText } from '../../../src/diagnose/classify.js';
import * as x from './excerpts.js';

const loc = { file: 'stack.yaml', line: 1, col: 1 };

function service(name: string, overrides: Partial<Service> = {}): Service {
  return { ...emptyService(name, loc), ...overrides };
}

const stack: Stack = {
  name: 'pyairtable',
  file: '/stack.yaml',
  dir: '/',
  format: 'stackctl',
  services: [
    service('postgres', {
      readiness: { probe: { kind: 'postgres', port: 5432, user: 'pyairtable', password: 'pw', database: 'pyairtable' }, timeoutMs: 60_000, location: loc },
    }),
    service('redis', { readiness: { probe: { kind: 'redis', port: 6379, password: 'pw' }, timeoutMs: 30_000, location: loc } }),
    service('airtable-gateway', { networks: [{ name: 'default', aliases: ['gateway'], location: loc }] }),
    service('platform-services', {
      environment: { REDIS_URL: 'redis://redis:6379/0', DATABASE_URL: 'postgresql://u:p@postgres:5432/db' },
      dependsOn: [{ service: 'postgres', condition: 'ready', required: true, location: loc }],
    }),
  ],
  volumes: {},
  networks: {},
  thresholds: { successRate: 95, avgResponseMs: 500, errorRate: 5 },
  variables: [
    { name: 'POSTGRES_PORT', expression: '${POSTGRES_PORT:-5432}', path: ['services', 'postgres', 'ports', 0], service: 'postgres', location: loc, value: '45871', defaulted: false },
  ],
  secretValues: [],
  // As the example's stack.yaml declares them: the core knows no stack's modules.
  moduleHints: [
    {
      modules: ['config', 'telemetry', 'server', 'checks', 'client', 'db', 'tokens'],
      hint: "'{module}' is pyairtable-common's and is not in {service}'s image: build with context services/ and COPY pyairtable-common /opt/pyairtable-common with ENV PYTHONPATH=/opt/pyairtable-common (docs/example-stack-contract.md), or widen the build context so it can be copied",
      location: loc,
    },
  ],
};

const ctx = (name: string) => ({ service: name, stack });

describe('classify: the seed failures, from real output', () => {
  it('ModuleNotFoundError of a pyairtable-common module → module-not-found with the COPY/PYTHONPATH hint', () => {
    const cause = classifyText([x.NO_COMMON_RUN], ctx('airtable-gateway'));
    expect(cause).toEqual({
      code: 'module-not-found',
      summary: "No module named 'config'",
      hint: expect.stringContaining("'config' is pyairtable-common's and is not in \"airtable-gateway\"'s image: build with context services/ and COPY pyairtable-common /opt/pyairtable-common with ENV PYTHONPATH=/opt/pyairtable-common"),
      evidence: "ModuleNotFoundError: No module named 'config'",
    });
    expect(classifyText([x.SEED_TELEMETRY])?.summary).toBe("No module named 'telemetry'");
    expect(classifyText(["ModuleNotFoundError: No module named 'yaml'"])?.hint).toContain("module 'yaml' is not in the service's image: COPY it");
  });

  it("knows a stack's own modules only from the stack (diagnose.module_hints): without them, 'config' is any module", () => {
    const { moduleHints: _ignored, ...bare } = stack;
    const cause = classifyText([x.NO_COMMON_RUN], { service: 'airtable-gateway', stack: bare });
    expect(cause?.hint).not.toContain('pyairtable');
    expect(cause?.hint).toContain("module 'config' is not in \"airtable-gateway\"'s image: COPY it");
  });

  it('pip editable path outside the context → editable-outside-context (beats the generic build failure)', () => {
    const cause = classifyText([x.EDITABLE_BUILD], ctx('mcp-server'));
    expect(cause?.code).toBe('editable-outside-context');
    expect(cause?.summary).toBe('pip cannot install the editable requirement ../pyairtable-common: the path is not inside the build context');
    expect(cause?.hint).toContain('widen build.context to the directory holding both (e.g. context: services, dockerfile: mcp-server/Dockerfile)');
    expect(cause?.hint).toContain('additional_contexts');
    expect(cause?.evidence?.startsWith('\u001b[91mERROR: ../pyairtable-common is not a valid editable requirement')).toBe(true);
  });

  it('redis NOAUTH (REDIS_URL without the password) → redis-auth naming REDIS_PASSWORD and the service\'s REDIS_URL', () => {
    const cause = classifyText([x.NOT_READY_NOAUTH], ctx('platform-services'));
    expect(cause?.code).toBe('redis-auth');
    expect(cause?.summary).toBe('redis requires a password and "platform-services" sends none (NOAUTH)');
    expect(cause?.hint).toBe(
      'REDIS_PASSWORD is not propagated: put it into "platform-services"\'s REDIS_URL — redis://:${REDIS_PASSWORD}@redis:6379/0 (its REDIS_URL has no password now); a separate REDIS_PASSWORD variable is not read by the client',
    );
    // The probe's own words (src/probes/redis.ts) on the redis service itself.
    const probe = classifyText(['redis 127.0.0.1:49153: PING answered "NOAUTH Authentication required." instead of PONG'], ctx('redis'));
    expect(probe?.summary).toBe('redis requires a password and the readiness probe sends none (NOAUTH)');
    expect(probe?.hint).toContain('readiness: { redis: { port: 6379, password: ${REDIS_PASSWORD} } }');
  });

  it('redis WRONGPASS, and a redis without a password → redis-auth with the matching hint', () => {
    expect(classifyText([x.CHECK_WRONGPASS], ctx('platform-services'))).toMatchObject({
      code: 'redis-auth',
      summary: 'redis rejected "platform-services"\'s password (WRONGPASS)',
      hint: expect.stringContaining("differs from redis's REDIS_PASSWORD"),
    });
    expect(classifyText([x.CHECK_AUTH_WITHOUT_SERVER_PASSWORD], ctx('platform-services'))).toMatchObject({
      code: 'redis-auth',
      summary: 'redis has no password configured, but the client sends one',
      hint: expect.stringContaining("REDIS_PASSWORD is not propagated to the redis service: set REDIS_PASSWORD in redis's environment"),
    });
  });

  it('postgres password authentication failed → postgres-auth, client side and server side', () => {
    const client = classifyText([x.PSYCOPG2_WRONG_PASSWORD], ctx('platform-services'));
    expect(client).toMatchObject({ code: 'postgres-auth', summary: 'postgres rejected the password of user "pyairtable"' });
    expect(client?.hint).toContain('the credentials in "platform-services"\'s DATABASE_URL for "pyairtable" differ from postgres\'s POSTGRES_USER/POSTGRES_PASSWORD');
    expect(client?.hint).toContain('stackctl down -v');
    const server = classifyText([x.POSTGRES_SERVER_LOG], ctx('postgres'));
    expect(server?.hint).toContain("the readiness probe's credentials");
    expect(server?.evidence).toBe('2026-11-23 09:20:41.297 UTC [55] FATAL:  password authentication failed for user "pyairtable"');
    expect(classifyText(['FATAL:  database "pyairtable2" does not exist'])?.summary).toBe('postgres has no database "pyairtable2"');
  });
});

describe('classify: start-up and wiring failures', () => {
  it('the config module\'s one line listing every missing variable → missing-env', () => {
    expect(classifyText([x.CONFIG_MISSING], ctx('platform-services'))).toEqual({
      code: 'missing-env',
      summary: "missing required environment variables: DATABASE_URL, REDIS_URL, API_KEY, JWT_SECRET; invalid: PORT='abc' is not an integer",
      hint: 'set DATABASE_URL, REDIS_URL, API_KEY, JWT_SECRET for "platform-services" (environment: or env_file: in the stack file; list them in requires_env so validate catches this before start)',
      evidence: x.CONFIG_MISSING,
    });
    expect(classifyText(['api: cannot start: invalid environment variables: PORT=\'x\' is not an integer'])?.summary).toBe("invalid environment variables: PORT='x' is not an integer");
    expect(classifyText([x.REDIS_IMAGE_EMPTY], ctx('redis'))?.summary).toBe('REDIS_PASSWORD is empty, so the container refuses to start');
    expect(classifyText(["KeyError: 'JWT_SECRET'"])?.summary).toBe('environment variable JWT_SECRET is not set');
  });

  it('a taken host port → address-in-use naming the port and its override variable', () => {
    const byProcess = classifyText([x.PORT_TAKEN_BY_PROCESS], ctx('postgres'));
    expect(byProcess?.code).toBe('address-in-use');
    expect(byProcess?.summary).toBe('host port 45871 is already in use');
    expect(byProcess?.hint).toBe(
      "something else holds 127.0.0.1:45871 — `ss -ltnp 'sport = :45871'` shows what; stop it or move \"postgres\", e.g. POSTGRES_PORT=<free port> stackctl up",
    );
    expect(classifyText([x.PORT_TAKEN_BY_CONTAINER])?.summary).toBe('host port 45872 is already in use');
  });

  it('connection refused by a dependency → dependency-refused naming host:port and the service behind it', () => {
    const pg = classifyText([x.PSYCOPG2_REFUSED], ctx('platform-services'));
    expect(pg?.code).toBe('dependency-refused');
    expect(pg?.summary).toBe('connection refused by postgres:5432 (service postgres)');
    expect(pg?.hint).toBe('postgres did not accept connections on port 5432: check it is up and ready (stackctl ps; stackctl logs postgres).');
    const redis = classifyText([x.REDIS_PY_REFUSED], ctx('platform-services'));
    expect(redis?.summary).toBe('connection refused by redis:6379 (service redis)');
    expect(redis?.hint).toContain('"platform-services" does not depend on it: add depends_on: [redis].');
    expect(classifyText([x.HTTP_REFUSED], ctx('mcp-server'))?.summary).toBe('connection refused by airtable-gateway:8002 (service airtable-gateway)');
    expect(classifyText(['Error: connect ECONNREFUSED 10.0.0.9:9999'], ctx('mcp-server'))?.hint).toBe(
      'nothing answers at 10.0.0.9:9999: check the host and port in "mcp-server"\'s environment (the stack\'s services: postgres, redis, airtable-gateway, platform-services)',
    );
  });

  it('an unresolvable host → dependency-unresolved, recognising services by name and alias', () => {
    expect(classifyText([x.PSYCOPG2_UNRESOLVED], ctx('platform-services'))?.hint).toContain('no service of the stack is called "nohost"');
    expect(classifyText([x.REDIS_PY_UNRESOLVED])).toMatchObject({ code: 'dependency-unresolved', summary: 'cannot resolve host "redis-gone" (port 6379)' });
    expect(classifyText([x.HTTP_UNRESOLVED], ctx('mcp-server'))?.hint).toContain('"airtable-gateway" is the stack\'s service airtable-gateway');
    expect(classifyText(['getaddrinfo ENOTFOUND gateway'], ctx('mcp-server'))?.hint).toContain('"gateway" is the stack\'s service airtable-gateway');
  });

  it('images: not found, no registry → image-not-found; a failed build step → build-failed', () => {
    expect(classifyText([x.PULL_NO_REGISTRY])).toMatchObject({ code: 'image-not-found', summary: 'no registry reachable (registry-1.docker.io): an image cannot be pulled' });
    expect(
      classifyText(['image stackctl-example/api:dev not found locally and no registry reachable: build it (build:) or load it (docker load)'], ctx('api')),
    ).toMatchObject({ code: 'image-not-found', summary: 'image stackctl-example/api:dev is not available locally and cannot be pulled' });
    expect(classifyText(["The command '/bin/sh -c make all' returned a non-zero code: 2"])).toMatchObject({
      code: 'build-failed',
      summary: 'build step `make all` exited with code 2',
    });
  });
});

describe('classify: mechanics', () => {
  it('returns undefined when nothing matches', () => {
    expect(classifyLines(['all good', 'listening on :8000'])).toBeUndefined();
  });

  it('prefers the more specific rule, and the newest matching line', () => {
    const cause = classifyLines([x.PSYCOPG2_REFUSED, "ModuleNotFoundError: No module named 'db'"]);
    expect(cause?.code).toBe('module-not-found');
    const newest = classifyLines(['password authentication failed for user "old"', 'password authentication failed for user "new"']);
    expect(newest?.summary).toBe('postgres rejected the password of user "new"');
  });

  it('every rule has a unique name and is the one that classifies its own example', () => {
    const names = RULES.map((rule) => rule.name);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of RULES) {
      const cause = classifyLines([rule.example]);
      expect({ rule: rule.name, code: cause?.code, evidence: cause?.evidence }).toEqual({ rule: rule.name, code: rule.code, evidence: rule.example });
      // …and no earlier rule steals it.
      const first = RULES.find((candidate) => candidate.pattern.test(rule.example));
      expect(first?.name).toBe(rule.name);
    }
  });
});

describe('documentation', () => {
  it('docs/runtime-probes.md lists every rule of the table', async () => {
    const { readFile } = await import('node:fs/promises');
    const doc = await readFile(new URL('../../../docs/runtime-probes.md', import.meta.url), 'utf8');
    const missing = RULES.filter((rule) => !doc.includes(`| \`${rule.code}\` | ${rule.name} |`)).map((rule) => rule.name);
    expect(missing).toEqual([]);
  });
});
