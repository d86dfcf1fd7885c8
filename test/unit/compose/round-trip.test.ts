/**
 * stack.yaml → `export compose` → `import` → stack.yaml is the same graph: services, images, builds,
 * commands, environment, ports, volumes, networks, dependencies with their conditions, probes with
 * their credentials and deadlines, restart policies and profiles.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStack } from '../../../src/load/load.js';
import type { Stack } from '../../../src/config/model.js';
import { parseYamlSource } from '../../../src/config/yaml-source.js';
import { exportCompose } from '../../../src/compose/export-compose.js';
import { importCompose } from '../../../src/compose/import-compose.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const work = mkdtempSync(path.join(tmpdir(), 'stackctl-roundtrip-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The parts of a stack that make it the same graph (not comments, not where things were written). */
function graph(stack: Stack): unknown {
  return stack.services.map((s) => ({
    name: s.name,
    image: s.image,
    build: s.build && { context: s.build.context, dockerfile: s.build.dockerfile, inline: s.build.dockerfileInline, args: s.build.args, target: s.build.target, extra: s.build.additionalContexts },
    command: s.command,
    entrypoint: s.entrypoint,
    environment: s.environment,
    envFiles: s.envFiles,
    ports: s.ports.map((p) => ({ hostIp: p.hostIp ?? '127.0.0.1', published: p.published, target: p.target, protocol: p.protocol })),
    volumes: s.volumes.map((v) => ({ type: v.type, source: v.source, target: v.target, readOnly: v.readOnly })),
    networks: s.networks.map((n) => ({ name: n.name, aliases: n.aliases })).sort((a, b) => a.name.localeCompare(b.name)),
    dependsOn: s.dependsOn.map((d) => ({ service: d.service, condition: d.condition, required: d.required })),
    readiness: s.readiness && { probe: s.readiness.probe, timeoutMs: s.readiness.timeoutMs },
    restart: s.restart,
    profiles: s.profiles,
  }));
}

async function roundTrip(stackFile: string, env: Record<string, string>, name: string): Promise<{ before: Stack; after: Stack; compose: string; imported: string }> {
  const loaded = await loadStack(stackFile, { env });
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const before = loaded.stack!;
  const composeFile = path.join(work, name, 'compose', 'docker-compose.yml');
  const exported = exportCompose(before, { outputFile: composeFile, raw: parseYamlSource(readFileSync(stackFile, 'utf8'), stackFile), healthcheckIntervalMs: env.INTERVAL === undefined ? 1000 : Number(env.INTERVAL) });
  mkdirSync(path.dirname(composeFile), { recursive: true });
  writeFileSync(composeFile, exported.text);
  const stackOut = path.join(work, name, 'stack.yaml');
  const imported = importCompose(parseYamlSource(exported.text, composeFile), { outputFile: stackOut, env });
  writeFileSync(stackOut, imported.text);
  const reloaded = await loadStack(stackOut, { env });
  expect(reloaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(reloaded.format).toBe('stackctl');
  return { before, after: reloaded.stack!, compose: exported.text, imported: imported.text };
}

describe('stack.yaml → compose → stack.yaml', () => {
  it('every probe kind and dependency condition survives', async () => {
    const env = { DB_PASSWORD: 'db-pass-1', API_TOKEN: 'token-2', API_PORT: '18181' };
    const { before, after, compose, imported } = await roundTrip(path.join(repo, 'test/fixtures/compose-roundtrip/stack.yaml'), env, 'kinds');
    // With compose's default 30 s interval too: a 10 s deadline gets its own shorter interval.
    const slow = await roundTrip(path.join(repo, 'test/fixtures/compose-roundtrip/stack.yaml'), { ...env, INTERVAL: '30000' }, 'kinds-30s');
    expect(graph(slow.after)).toEqual(graph(slow.before));
    expect(graph(after)).toEqual(graph(before));
    expect(after.services.map((s) => s.readiness?.probe.kind)).toEqual(['postgres', 'redis', 'tcp', undefined, 'http', 'exec']);
    for (const secret of Object.values(env).slice(0, 2)) {
      expect(compose).not.toContain(secret);
      expect(imported).not.toContain(secret);
    }
    expect(imported).toContain('password: ${DB_PASSWORD}');
  });

  it('the example stack survives', async () => {
    const env: Record<string, string> = {};
    for (const line of readFileSync(path.join(repo, '.env.example'), 'utf8').split('\n')) {
      const match = /^([A-Z_]+)=(.*)$/.exec(line);
      if (match) env[match[1]!] = match[2] === 'change-me' ? `secret-${match[1]!.toLowerCase()}-42` : match[2]!;
    }
    const { before, after, compose } = await roundTrip(path.join(repo, 'stack.yaml'), env, 'example');
    expect(graph(after)).toEqual(graph(before));
    for (const [name, value] of Object.entries(env)) if (value.startsWith('secret-')) expect(compose, name).not.toContain(value);
  });
});
