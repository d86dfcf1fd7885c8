import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStack } from '../../../src/load/load.js';

function stackDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stackctl-load-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('loadStack (stack.yaml)', () => {
  it('reads diagnose.module_hints (the stack\'s own modules, for the diagnosis), and points at a malformed one', async () => {
    const good = stackDir({
      'stack.yaml': ['name: demo', 'diagnose:', '  module_hints:', '    - modules: [config, db]', '      hint: "{module} is ours: COPY it into {service}"', 'services:', '  api: { image: x }', ''].join('\n'),
    });
    const loaded = await loadStack('stack.yaml', { env: {}, cwd: good });
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.stack!.moduleHints).toEqual([
      { modules: ['config', 'db'], hint: '{module} is ours: COPY it into {service}', location: { file: path.join(good, 'stack.yaml'), line: 4, col: 7 } },
    ]);
    const bad = stackDir({ 'stack.yaml': ['name: demo', 'diagnose:', '  module_hints:', '    - modules: config', '      hint: ours', 'services:', '  api: { image: x }', ''].join('\n') });
    const refused = await loadStack('stack.yaml', { env: {}, cwd: bad });
    expect(refused.diagnostics.map((d) => `${d.location.line}: ${d.message}`)).toEqual([expect.stringMatching(/^4: .*list of module names/)]);
  });

  it('normalises a service completely', async () => {
    const dir = stackDir({
      'stack.yaml': [
        'name: demo',
        'env_file: [vars.env]',
        'volumes: { data: {} }',
        'services:',
        '  db:',
        '    image: postgres:16',
        '    environment: { POSTGRES_USER: app, POSTGRES_PASSWORD: "${DB_PASSWORD}" }',
        '    readiness:',
        '      postgres: { user: app, password: "${DB_PASSWORD}" }',
        '      timeout: 45s',
        '  api:',
        '    build: { context: api, dockerfile: Dockerfile.dev, args: [VERSION=1], additional_contexts: { common: ./common } }',
        '    command: python -m app --port 8000',
        '    env_file: api.env',
        '    environment:',
        '      - DATABASE_URL=postgresql://app:${DB_PASSWORD}@db:5432/app',
        '      - FROM_ENV',
        '    ports: ["127.0.0.1:8000:8000", { target: 9000 }]',
        '    volumes: ["data:/data", "./logs:/logs:ro"]',
        '    networks: { default: { aliases: [backend] } }',
        '    depends_on: { db: { condition: ready }, cache: { condition: started, required: false } }',
        '    readiness: { http: { path: health, status: "200-204", headers: { Authorization: "Bearer ${TOKEN}" } } }',
        '    start_timeout: 1m',
        '    restart: on-failure:2',
        '    secrets: [TOKEN]',
        '    requires_env: [DATABASE_URL]',
        '',
      ].join('\n'),
      'vars.env': 'DB_PASSWORD=s3cret-db\nTOKEN=tok-123456\n',
      'api.env': 'LOG_LEVEL=debug\nDATABASE_URL=overridden-below\n',
    });
    const result = await loadStack('stack.yaml', { env: { FROM_ENV: 'yes' }, cwd: dir });
    expect(result.diagnostics).toEqual([]);
    const stack = result.stack!;
    expect(stack.format).toBe('stackctl');
    const [db, api] = stack.services;
    expect(db!.readiness).toMatchObject({ probe: { kind: 'postgres', port: 5432, user: 'app', password: 's3cret-db', database: 'app' }, timeoutMs: 45_000 });
    expect(api!.build).toEqual({
      context: path.join(dir, 'api'),
      dockerfile: path.join(dir, 'api', 'Dockerfile.dev'),
      args: { VERSION: '1' },
      additionalContexts: { common: path.join(dir, 'common') },
      location: { file: path.join(dir, 'stack.yaml'), line: 12, col: 23 },
    });
    expect(api!.command).toEqual(['python', '-m', 'app', '--port', '8000']);
    expect(api!.environment).toEqual({ LOG_LEVEL: 'debug', DATABASE_URL: 'postgresql://app:s3cret-db@db:5432/app', FROM_ENV: 'yes' });
    expect(api!.environmentLocations.LOG_LEVEL).toEqual({ file: path.join(dir, 'api.env'), line: 1, col: 1 });
    expect(api!.environmentLocations.DATABASE_URL!.line).toBe(16);
    expect(api!.ports.map((p) => [p.hostIp, p.published, p.target])).toEqual([['127.0.0.1', 8000, 8000], [undefined, undefined, 9000]]);
    expect(api!.volumes.map((v) => [v.type, v.source, v.target, v.readOnly])).toEqual([['volume', 'data', '/data', false], ['bind', path.join(dir, 'logs'), '/logs', true]]);
    expect(api!.networks).toMatchObject([{ name: 'default', aliases: ['backend'] }]);
    expect(api!.dependsOn.map((d) => [d.service, d.condition, d.required])).toEqual([['db', 'ready', true], ['cache', 'started', false]]);
    expect(api!.readiness!.probe).toEqual({ kind: 'http', port: 8000, path: '/health', method: 'GET', headers: { Authorization: 'Bearer tok-123456' }, status: { min: 200, max: 204 } });
    expect(api!.readiness!.timeoutMs).toBe(60_000);
    expect(api!.restart).toEqual({ name: 'on-failure', maxRetries: 2 });
    expect(stack.secretValues).toEqual(expect.arrayContaining(['s3cret-db', 'tok-123456']));
  });

  it('fills a probe template from with: and defaults its port to the service port', async () => {
    const dir = stackDir({ 'stack.yaml': 'name: t\nservices:\n  web:\n    image: w\n    ports: ["8080"]\n    readiness:\n      use: healthchecks/http-ready.yaml\n      with: { api_key: "${KEY}" }\n' });
    const result = await loadStack(path.join(dir, 'stack.yaml'), { env: { KEY: 'k-value' } });
    expect(result.diagnostics).toEqual([]);
    expect(result.stack!.services[0]!.readiness).toMatchObject({
      probe: { kind: 'http', port: 8080, path: '/ready', headers: { 'X-API-Key': 'k-value' }, status: { min: 200, max: 200 }, json: { status: 'ready' } },
      timeoutMs: 60_000,
    });
  });

  it('names a missing template parameter and a missing template', async () => {
    const dir = stackDir({
      'stack.yaml': 'name: t\nservices:\n  web:\n    image: w\n    readiness: { use: healthchecks/redis.yaml }\n  other:\n    image: o\n    readiness: { use: healthchecks/nope.yaml }\n',
    });
    const result = await loadStack(path.join(dir, 'stack.yaml'), { env: {} });
    expect(result.stack).toBeUndefined();
    expect(result.diagnostics.map((d) => [d.code, d.service])).toEqual(
      expect.arrayContaining([['INTERP002', 'web'], ['TEMPLATE001', 'other']]),
    );
    expect(result.diagnostics.find((d) => d.code === 'INTERP002')!.message).toMatch(/the redis template needs `with: \{ password: ... \}`/);
  });

  it('reports a missing service env_file as an error and a missing stack env_file as a warning', async () => {
    const dir = stackDir({ 'stack.yaml': 'name: t\nenv_file: .env\nservices:\n  web:\n    image: w\n    env_file: web.env\n', '.env.example': 'A=1\n' });
    const result = await loadStack(path.join(dir, 'stack.yaml'), { env: {} });
    expect(result.diagnostics.map((d) => [d.code, d.severity, d.location.line])).toEqual([
      ['ENVFILE002', 'warning', 2],
      ['ENVFILE001', 'error', 6],
    ]);
    expect(result.diagnostics[0]!.hint).toContain('cp .env.example .env');
  });

  it('detects the format by content and reports readiness ambiguities', async () => {
    const dir = stackDir({ 'anything.yml': 'name: t\nservices:\n  web:\n    image: w\n    readiness: { tcp: 80, log: ready }\n' });
    const result = await loadStack(path.join(dir, 'anything.yml'), { env: {} });
    expect(result.format).toBe('stackctl');
    expect(result.diagnostics).toMatchObject([{ code: 'SCHEMA004', service: 'web', location: { line: 5 } }]);
  });

  it('redacts nothing itself but hands the secret values over even when loading fails', async () => {
    const dir = stackDir({ 'stack.yaml': 'name: t\nservices:\n  web:\n    image: w\n    secrets: [MY_VALUE]\n    bogus: 1\n' });
    const result = await loadStack(path.join(dir, 'stack.yaml'), { env: { MY_VALUE: 'hidden-value', DB_PASSWORD: 'pw-value' } });
    expect(result.stack).toBeUndefined();
    expect(result.secretValues).toEqual(expect.arrayContaining(['hidden-value', 'pw-value']));
  });

  it('never throws for a missing file or a directory', async () => {
    const dir = stackDir({});
    expect((await loadStack(path.join(dir, 'missing.yaml'))).diagnostics[0]).toMatchObject({ code: 'FILE001' });
    expect((await loadStack(dir)).diagnostics[0]).toMatchObject({ code: 'FILE001' });
  });
});
