import { describe, expect, it } from 'vitest';
import { translateHealthcheck } from '../../../src/compose/healthcheck-to-probe.js';
import type { HealthcheckContext } from '../../../src/compose/healthcheck/recogniser.js';

const env: Record<string, string> = {
  POSTGRES_USER: 'app',
  POSTGRES_PASSWORD: 'pg-secret',
  POSTGRES_DB: 'appdb',
  REDIS_PASSWORD: 'redis-secret',
  API_KEY: 'key-123',
};
const resolved: HealthcheckContext = { syntax: 'resolved', containerEnv: (name) => env[name] };
const probeOf = (test: unknown, ctx: HealthcheckContext = resolved) => {
  const result = translateHealthcheck(test, ctx);
  if (result.kind !== 'probe') throw new Error(`expected a probe, got ${JSON.stringify(result)}`);
  return result.probe;
};

describe('HTTP healthchecks become http probes', () => {
  it.each([
    [['CMD', 'curl', '-f', 'http://localhost:8000/health'], 8000, '/health', { min: 100, max: 399 }],
    [['CMD-SHELL', 'curl -f http://localhost:8007/health || exit 1'], 8007, '/health', { min: 100, max: 399 }],
    ['curl -fsS http://127.0.0.1:8001/ready?deep=1 || exit 1', 8001, '/ready?deep=1', { min: 100, max: 399 }],
    [['CMD', 'curl', 'http://localhost:3000/'], 3000, '/', { min: 100, max: 599 }],
    [['CMD', 'wget', '--no-verbose', '--tries=1', '--spider', 'http://localhost:8002/health'], 8002, '/health', { min: 200, max: 399 }],
    [['CMD-SHELL', 'wget -qO- http://localhost/ping >/dev/null'], 80, '/ping', { min: 200, max: 399 }],
    [['CMD', 'python3', '-c', "import urllib.request; urllib.request.urlopen('http://localhost:8003/health')"], 8003, '/health', { min: 200, max: 399 }],
    [['CMD-SHELL', `python -c "import httpx; httpx.get('http://localhost:8004/health').raise_for_status()"`], 8004, '/health', { min: 200, max: 399 }],
    [['CMD', 'python', '-c', "import sys, httpx; sys.exit(0 if httpx.get('http://localhost:9/h').status_code == 204 else 1)"], 9, '/h', { min: 204, max: 204 }],
    [['CMD', 'python', '-c', "import requests; requests.get('http://localhost:5000/')"], 5000, '/', { min: 100, max: 599 }],
  ])('%j → port %i path %s', (test, port, path, status) => {
    expect(probeOf(test)).toEqual({ kind: 'http', port, path, method: 'GET', headers: {}, status });
  });

  it('keeps headers, resolving container variables', () => {
    expect(probeOf(['CMD-SHELL', 'curl -f -H "X-API-Key: $API_KEY" http://localhost:8000/ready'])).toMatchObject({ kind: 'http', headers: { 'X-API-Key': 'key-123' } });
  });

  it('keeps checks of other hosts, https and unknown variables as exec probes', () => {
    expect(probeOf(['CMD', 'curl', '-f', 'http://other:8000/health']).kind).toBe('exec');
    expect(probeOf(['CMD', 'curl', '-f', 'https://localhost:8443/health']).kind).toBe('exec');
    expect(probeOf(['CMD-SHELL', 'curl -f http://localhost:$PORT/health']).kind).toBe('exec');
  });
});

describe('database healthchecks become authenticated probes', () => {
  it('pg_isready → postgres probe with the container credentials', () => {
    expect(probeOf(['CMD-SHELL', 'pg_isready -U $POSTGRES_USER -d $POSTGRES_DB'])).toEqual({ kind: 'postgres', port: 5432, user: 'app', password: 'pg-secret', database: 'appdb' });
    expect(probeOf(['CMD', 'pg_isready', '-p', '5433'])).toEqual({ kind: 'postgres', port: 5433, user: 'app', password: 'pg-secret', database: 'appdb' });
  });

  it('pg_isready reads the image\'s POSTGRES_* first, psql its own PG* first (each recogniser keeps its tool\'s order)', () => {
    const both: HealthcheckContext = { syntax: 'resolved', containerEnv: (name) => ({ POSTGRES_USER: 'image', PGUSER: 'client', POSTGRES_PASSWORD: 'a', PGPASSWORD: 'b' })[name] };
    expect(probeOf(['CMD', 'pg_isready', '-h', 'localhost'], both)).toMatchObject({ user: 'image', password: 'a', database: 'image' });
    expect(probeOf(['CMD', 'psql', '-h', '127.0.0.1', '-c', 'SELECT 1'], both)).toMatchObject({ user: 'client', password: 'b', database: 'client' });
    expect(probeOf(['CMD', 'psql', '-h', 'db.elsewhere', '-c', 'SELECT 1'], both).kind).toBe('exec');
    expect(probeOf(['CMD', 'pg_isready', '-p', '70000'], both).kind).toBe('exec');
  });

  it('pg_isready without any known password stays an exec probe', () => {
    expect(probeOf(['CMD', 'pg_isready'], { syntax: 'resolved', containerEnv: () => undefined }).kind).toBe('exec');
  });

  it('redis-cli ping → redis probe; password from -a, REDISCLI_AUTH, --requirepass or REDIS_PASSWORD', () => {
    expect(probeOf(['CMD', 'redis-cli', 'ping'], { syntax: 'resolved', containerEnv: () => undefined })).toEqual({ kind: 'redis', port: 6379 });
    expect(probeOf(['CMD', 'redis-cli', '-a', 'pw-a', 'ping'])).toEqual({ kind: 'redis', port: 6379, password: 'pw-a' });
    expect(probeOf(['CMD-SHELL', 'redis-cli -a $REDIS_PASSWORD ping | grep PONG'])).toEqual({ kind: 'redis', port: 6379, password: 'redis-secret' });
    expect(probeOf(['CMD', 'redis-cli', '-p', '6380', 'ping'], { syntax: 'resolved', containerEnv: () => undefined, command: ['redis-server', '--requirepass', 'from-command'] })).toEqual({ kind: 'redis', port: 6380, password: 'from-command' });
    expect(probeOf(['CMD', 'redis-cli', 'ping'])).toEqual({ kind: 'redis', port: 6379, password: 'redis-secret' });
  });

  it('nc -z localhost PORT → tcp probe', () => {
    expect(probeOf(['CMD', 'nc', '-z', 'localhost', '9000'])).toEqual({ kind: 'tcp', port: 9000 });
  });
});

describe('raw syntax (import): $$VAR is the container variable, ${VAR} stays a reference', () => {
  const rawEnv: Record<string, string> = { POSTGRES_USER: '${POSTGRES_USER:-app}', POSTGRES_PASSWORD: '${POSTGRES_PASSWORD}', POSTGRES_DB: 'appdb' };
  const raw: HealthcheckContext = { syntax: 'raw', containerEnv: (name) => rawEnv[name] };
  it('pg_isready -U $$POSTGRES_USER carries the references written in the environment', () => {
    expect(probeOf(['CMD-SHELL', 'pg_isready -U $$POSTGRES_USER -d $${POSTGRES_DB}'], raw)).toEqual({ kind: 'postgres', port: 5432, user: '${POSTGRES_USER:-app}', password: '${POSTGRES_PASSWORD}', database: 'appdb' });
  });
  it('a compose-level ${VAR} is kept as written', () => {
    expect(probeOf(['CMD', 'redis-cli', '-a', '${REDIS_PASSWORD}', 'ping'], raw)).toEqual({ kind: 'redis', port: 6379, password: '${REDIS_PASSWORD}' });
  });
});

describe('everything else', () => {
  it('NONE disables; a bad test is invalid; an unknown command is kept as exec', () => {
    expect(translateHealthcheck(['NONE'], resolved)).toEqual({ kind: 'disabled' });
    expect(translateHealthcheck(['curl', 'x'], resolved).kind).toBe('invalid');
    expect(translateHealthcheck(42, resolved).kind).toBe('invalid');
    expect(translateHealthcheck('', resolved).kind).toBe('invalid');
    expect(probeOf(['CMD', '/bin/check', '--quick'])).toEqual({ kind: 'exec', command: ['/bin/check', '--quick'] });
    expect(probeOf(['CMD-SHELL', 'test -f /tmp/ready && curl -f http://localhost/'])).toEqual({ kind: 'exec', command: ['sh', '-c', 'test -f /tmp/ready && curl -f http://localhost/'] });
  });
});
