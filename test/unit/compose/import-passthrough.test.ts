/**
 * Issue 11, class 10 without docker-compose: what stack.yaml cannot express travels in `x-compose` and
 * comes back on export; published ports are never narrowed; no secret is written by the export.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

async function roundTrip(files: string[], name: string): Promise<{ imported: Record<string, any>; exported: Record<string, any>; warnings: string[] }> {
  const stackFile = path.join(work, name, 'stack.yaml');
  const sources = await Promise.all(files.map((file) => readYamlSource(file)));
  const text = importCompose(sources, { outputFile: stackFile, env: {} }).text;
  rmSync(path.dirname(stackFile), { recursive: true, force: true });
  await import('node:fs').then((fs) => fs.mkdirSync(path.dirname(stackFile), { recursive: true }));
  writeFileSync(stackFile, text);
  const loaded = await loadStack(stackFile, { env: {} });
  expect(loaded.stack, JSON.stringify(loaded.diagnostics.filter((d) => d.severity === 'error'))).toBeDefined();
  const out = path.join(work, name, 'compose/docker-compose.yml');
  const result = exportCompose(loaded.stack!, { outputFile: out, raw: parseYamlSource(text, stackFile) });
  return { imported: parse(text) as Record<string, any>, exported: parse(result.text) as Record<string, any>, warnings: result.warnings.map((w) => w.message) };
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
    const dir = path.join(work, 'secret');
    await import('node:fs').then((fs) => fs.mkdirSync(dir, { recursive: true }));
    const file = path.join(dir, 'compose.yaml');
    writeFileSync(file, 'services:\n  cache:\n    image: redis:7\n    environment:\n      REDIS_PASSWORD: hunter2-literal\n    healthcheck:\n      test: ["CMD", "redis-cli", "-a", "hunter2-literal", "ping"]\n    labels:\n      pw: hunter2-literal\n');
    const { exported, warnings } = await roundTrip([file], 'secret-out');
    expect(JSON.stringify(exported)).not.toContain('hunter2-literal');
    expect(warnings.join('\n')).toMatch(/x-compose\.labels holds a secret value/);
    expect(warnings.join('\n')).toMatch(/healthcheck carried in x-compose holds a secret value/);
  });
});
