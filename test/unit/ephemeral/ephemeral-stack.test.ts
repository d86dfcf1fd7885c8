import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStack } from '../../../src/load/load.js';
import { makeEphemeral } from '../../../src/ephemeral/ephemeral-stack.js';
import { containerSpec } from '../../../src/plan/container-spec.js';

const dir = mkdtempSync(path.join(tmpdir(), 'stackctl-eph-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function load(env: Record<string, string>) {
  const file = path.join(dir, 'stack.yaml');
  writeFileSync(
    file,
    [
      'name: shop',
      'env_file: .env',
      'services:',
      '  api:',
      '    image: example/api:1',
      '    ports: ["127.0.0.1:${API_PORT:-8000}:8000", "9000:9000", "${ADMIN_PORT:-7000}:7000"]',
      '  db:',
      '    image: example/db:1',
      '    volumes: ["data:/var/lib/db"]',
      'volumes: { data: {} }',
      '',
    ].join('\n'),
  );
  // .env sets ADMIN_PORT: a developer's value, not a pin.
  writeFileSync(path.join(dir, '.env'), 'ADMIN_PORT=7100\n');
  const loaded = await loadStack(file, { env, cwd: dir });
  if (!loaded.stack) throw new Error(JSON.stringify(loaded.diagnostics));
  return loaded.stack;
}

describe('makeEphemeral', () => {
  it('gives the copy a unique name and lets the engine choose every host port nobody pinned', async () => {
    const stack = await load({});
    const copy = makeEphemeral(stack, { env: {}, random: () => 'abc123', now: () => 1_000_000, ttlMs: 60_000 });
    expect(copy.stack.name).toBe('shop-abc123');
    const api = copy.stack.services.find((service) => service.name === 'api')!;
    expect(api.ports.map((port) => [port.hostIp, port.published, port.target])).toEqual([
      ['127.0.0.1', undefined, 8000],
      ['127.0.0.1', undefined, 9000],
      ['127.0.0.1', undefined, 7000],
    ]);
    expect(copy.ports.map((port) => `${port.target}:${port.declared}:${port.pinned}`)).toEqual(['8000:8000:false', '9000:9000:false', '7000:7100:false']);
    expect(copy.expiresAtMs).toBe(1_060_000);
    // The original is untouched.
    expect(stack.services.find((service) => service.name === 'api')!.ports.map((port) => port.published)).toEqual([8000, 9000, 7100]);
  });

  it('keeps a host port whose variable is set in the run\'s own environment', async () => {
    const env = { API_PORT: '9100' };
    const copy = makeEphemeral(await load(env), { env, random: () => 'abc123' });
    const api = copy.stack.services.find((service) => service.name === 'api')!;
    expect(api.ports.map((port) => port.published)).toEqual([9100, undefined, undefined]);
    expect(copy.ports.filter((port) => port.pinned)).toEqual([{ service: 'api', target: 8000, declared: 9100, pinned: true, variable: 'API_PORT' }]);
  });

  it('labels every container, network and volume of the copy, and names them after it', async () => {
    const copy = makeEphemeral(await load({}), { env: {}, random: () => 'abc123', now: () => 0, ttlMs: 1_800_000 });
    const spec = containerSpec(copy.stack, copy.stack.services.find((service) => service.name === 'db')!);
    expect(spec.name).toBe('shop-abc123-db');
    expect(spec.network).toBe('shop-abc123_default');
    expect(spec.volumes[0]?.source).toBe('shop-abc123_data');
    expect(spec.labels).toMatchObject({
      'io.stackctl.stack': 'shop-abc123',
      'io.stackctl.ephemeral': 'true',
      'io.stackctl.source-stack': 'shop',
      'io.stackctl.expires-at': '1800',
    });
  });
});
