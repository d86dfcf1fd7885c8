/**
 * Issue 11, class 10 without docker-compose: what stack.yaml cannot express travels in `x-compose` and
 * comes back on export; published ports are never narrowed; no secret is written by the export.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStack } from '../../../src/load/load.js';
import { parseYamlSource, readYamlSource } from '../../../src/config/yaml-source.js';
import { exportCompose } from '../../../src/compose/export-compose.js';
import { importCompose } from '../../../src/compose/import-compose.js';

const REAL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/compose-real');
const work = mkdtempSync(path.join(tmpdir(), 'stackctl-passthrough-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function roundTrip(files: string[], name: string, env: Record<string, string> = {}): Promise<{ imported: Record<string, any>; exported: Record<string, any>; warnings: string[]; secretEnv: ReadonlyMap<string, string> }> {
  const stackFile = path.join(work, name, 'stack.yaml');
  const sources = await Promise.all(files.map((file) => readYamlSource(file)));
  const text = importCompose(sources, { outputFile: stackFile, env: {} }).text;
  rmSync(path.dirname(stackFile), { recursive: true, force: true });
  await import('node:fs').then((fs) => fs.mkdirSync(path.dirname(stackFile), { recursive: true }));
  writeFileSync(stackFile, text);
  const loaded = await loadStack(stackFile, { env });
  expect(loaded.stack, JSON.stringify(loaded.diagnostics.filter((d) => d.severity === 'error'))).toBeDefined();
  const out = path.join(work, name, 'compose/docker-compose.yml');
  const result = exportCompose(loaded.stack!, { outputFile: out, raw: parseYamlSource(text, stackFile) });
  return { imported: parse(text) as Record<string, any>, exported: parse(result.text) as Record<string, any>, warnings: result.warnings.map((w) => w.message), secretEnv: result.secretEnv };
}

/** A compose project written for one test: `files` (path → text) under work/NAME; returns its compose.yaml. */
function project(name: string, files: Record<string, string>): string {
  const dir = path.join(work, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return path.join(dir, 'compose.yaml');
}

describe('import → export keeps what stack.yaml cannot express', () => {
  it('secrets and configs mounts, cap_add, network_mode host, labels, user: carried in x-compose and restored', async () => {
    const { imported, exported } = await roundTrip([path.join(REAL, 'merge-roundtrip/compose.yaml')], 'rt');
    expect(imported.services.db['x-compose'].secrets).toEqual(['mysql_root_password']);
    expect(imported['x-compose'].secrets.mysql_root_password.file).toMatch(/merge-roundtrip\/secrets\/mysql_root_password\.txt$/);
    expect(exported.services.db.secrets).toEqual(['mysql_root_password']);
    expect(exported.services.db.configs).toEqual([{ source: 'mysql_conf', target: '/etc/mysql/conf.d/app.cnf' }]);
    expect(exported.services.db.healthcheck).toEqual({ test: ['CMD', 'mysqladmin', 'ping', '-h', '127.0.0.1'], interval: '10s', timeout: '5s', retries: 5 });
    expect(exported.services.dns.cap_add).toEqual(['NET_ADMIN']);
    expect(exported.services.dns.container_name).toBe('lan-dns');
    expect(exported.services['node-exporter'].network_mode).toBe('host');
    expect(exported.services['node-exporter'].volumes).toEqual(['/:/host:ro']);
    expect(exported.services.app.user).toBe('1000:1000');
    // Relative to the export's directory — or absolute, as here, when the two share nothing but the root.
    expect(path.resolve(path.join(work, 'rt/compose'), exported.secrets.mysql_root_password.file)).toBe(path.join(REAL, 'merge-roundtrip/secrets/mysql_root_password.txt'));
    expect(exported.volumes['db-data']).toEqual({ driver: 'local' });
  });

  it('never narrows a binding: a port compose publishes on every interface stays on every interface; long syntax goes out as short syntax', async () => {
    const { imported, exported } = await roundTrip([path.join(REAL, 'merge-roundtrip/compose.yaml')], 'ports');
    expect(imported.services.dns.ports.slice(0, 2)).toEqual(['0.0.0.0:53:53/udp', '0.0.0.0:53:53/tcp']);
    expect(exported.services.dns.ports).toEqual(['0.0.0.0:53:53/udp', '0.0.0.0:53:53/tcp', '0.0.0.0:5380:8080']);
    expect(exported.services.app.ports).toEqual(['127.0.0.1:8000:8000']);
  });

  it('merged files import as one stack, and import points env_file at the source .env when written elsewhere', async () => {
    const { imported } = await roundTrip([path.join(REAL, 'merge-override/compose.yaml'), path.join(REAL, 'merge-override/compose.override.yaml')], 'merged');
    expect(Object.keys(imported.services)).toEqual(['db', 'api', 'worker']);
    expect(imported.services.api.environment).toMatchObject({ LOG_LEVEL: 'debug', DEBUG: '1' });
    const nested = await roundTrip([path.join(REAL, 'merge-env-nested/compose.yaml')], 'nested');
    expect(nested.imported.name).toBe('nested-env'); // COMPOSE_PROJECT_NAME from the source's .env
    expect(nested.imported.env_file).toBe(path.relative(path.join(work, 'nested'), path.join(REAL, 'merge-env-nested/.env')));
  });

  it('a carried value holding a secret is not exported (warning), a ${VAR:-default} written in the file is', async () => {
    const file = project('secret', { 'compose.yaml': 'services:\n  cache:\n    image: redis:7\n    environment:\n      REDIS_PASSWORD: hunter2-literal\n    healthcheck:\n      test: ["CMD", "redis-cli", "-a", "hunter2-literal", "ping"]\n    labels:\n      pw: hunter2-literal\n' });
    const { exported, warnings } = await roundTrip([file], 'secret-out');
    expect(JSON.stringify(exported)).not.toContain('hunter2-literal');
    expect(warnings.join('\n')).toMatch(/x-compose\.labels holds a secret value/);
    expect(warnings.join('\n')).toMatch(/healthcheck carried in x-compose holds a secret value/);
  });

  it('volumes go out as written (mode flags, long syntax), tmpfs back to `tmpfs:`, numbers stay numbers, external: false stays', async () => {
    const file = project('forms', {
      'conf/app.conf': 'a=1\n',
      'compose.yaml':
        'services:\n  app:\n    image: x\n    container_name: app-1\n    environment:\n      PORT: 8080\n      RATIO: 0.5\n    build:\n      context: .\n      dockerfile: Dockerfile\n' +
        '    tmpfs: [/tmp]\n    volumes:\n      - ./conf:/etc/app:ro,Z\n      - .:/src:cached\n      - /:/rootfs:ro,rslave\n      - { type: bind, source: ./conf, target: /opt/conf/, read_only: true }\n      - data:/data:z\n' +
        'volumes:\n  data:\n    external: false\n',
    });
    const dir = path.dirname(file);
    const { exported } = await roundTrip([file], 'forms-out');
    const app = exported.services.app;
    const back = (p: string): string => path.resolve(path.join(work, 'forms-out/compose'), p);
    expect(app.volumes.map((v: unknown) => (typeof v === 'string' ? v.split(':').slice(1).join(':') : v))).toEqual([
      '/etc/app:ro,Z', '/src:cached', '/rootfs:ro,rslave', expect.objectContaining({ type: 'bind', target: '/opt/conf/', read_only: true }), '/data:z',
    ]);
    expect(back(app.volumes[1].split(':')[0])).toBe(dir);
    expect(back(app.volumes[3].source)).toBe(path.join(dir, 'conf'));
    expect(app.tmpfs).toEqual(['/tmp']);
    expect(app.environment).toEqual({ PORT: 8080, RATIO: 0.5 });
    expect(app.build.dockerfile).toBe('Dockerfile');
    expect(app.container_name).toBe('app-1');
    expect(exported.volumes.data).toEqual({ external: false });
  });

  it('ports and bind paths written with variables: published everywhere by their value, resolved against the compose directory', async () => {
    const file = project('vars', {
      '.env': 'WEB_PORT=7070\nBIND=9000\nCONF=./cfg/app.yml\n',
      'cfg/app.yml': 'a: 1\n',
      'compose.yaml': 'services:\n  web:\n    image: x\n    ports: ["${WEB_PORT}", "$BIND:80/tcp"]\n    volumes:\n      - ${CONF}:/etc/app.yml\n      - ${DATA_DIR:-./cfg}:/data\n',
    });
    const dir = path.dirname(file);
    // The stack file is written beside the compose project, not in it: its .env is allowed by name.
    const { imported, exported } = await roundTrip([file], 'vars-out', { STACKCTL_ALLOWED_PATHS: dir });
    expect(imported.services.web.ports).toEqual(['0.0.0.0::${WEB_PORT}', '0.0.0.0:$BIND:80/tcp']);
    expect(exported.services.web.ports).toEqual(['0.0.0.0::${WEB_PORT}', '0.0.0.0:$BIND:80/tcp']);
    const rel = path.relative(path.join(work, 'vars-out'), dir);
    expect(imported.services.web.volumes).toEqual([`${rel}/\${CONF}:/etc/app.yml`, `\${DATA_DIR:-${rel}/cfg}:/data`]);
    const back = (v: string): string => path.resolve(path.join(work, 'vars-out/compose'), v.split(':')[0]!);
    expect(exported.services.web.volumes.map(back)).toEqual([path.join(dir, 'cfg/app.yml'), path.join(dir, 'cfg')]);
  });

  it('a secret default `${VAR:-secret}` goes out as `${VAR}`; a literal under a name the stack uses for another value gets its own variable', async () => {
    const file = project('defaults', { 'compose.yaml': 'services:\n  redis:\n    image: redis:7\n    command: redis-server --requirepass ${REDIS_PASSWORD:-redispw-default}\n    healthcheck:\n      test: ["CMD", "redis-cli", "-a", "${REDIS_PASSWORD:-redispw-default}", "ping"]\n  other:\n    image: redis:7\n    environment:\n      REDIS_PASSWORD: hunter22-literal\n' });
    const { exported, secretEnv } = await roundTrip([file], 'defaults-out');
    const text = JSON.stringify(exported);
    expect(text).not.toContain('redispw-default');
    expect(text).not.toContain('hunter22-literal');
    expect(exported.services.redis.command).toBe('redis-server --requirepass ${REDIS_PASSWORD}');
    expect(exported.services.redis.healthcheck.test).toEqual(['CMD', 'redis-cli', '-a', '${REDIS_PASSWORD}', 'ping']);
    expect(secretEnv.get('REDIS_PASSWORD')).toBe('redispw-default');
    const other = exported.services.other.environment.REDIS_PASSWORD as string;
    expect(other).toMatch(/^\$\{STACKCTL_SECRET_\d+\}$/);
    expect(secretEnv.get(other.slice(2, -1))).toBe('hunter22-literal');
  });

  it('a carried healthcheck or container_name that merely contains a name equal to a guessable secret is exported as written', async () => {
    const file = project('guessable', { 'compose.yaml': 'services:\n  db:\n    image: postgres:16\n    container_name: postgres-main\n    environment:\n      POSTGRES_PASSWORD: postgres\n    healthcheck:\n      test: ["CMD-SHELL", "pg_isready -U postgres"]\n      interval: 5s\n' });
    const { exported } = await roundTrip([file], 'guessable-out');
    expect(exported.services.db.healthcheck).toEqual({ test: ['CMD-SHELL', 'pg_isready -U postgres'], interval: '5s' });
    expect(exported.services.db.container_name).toBe('postgres-main');
  });
});
