/**
 * Every file of the compose corpus imports without a crash; when the compose file loads, the stack.yaml
 * written from it loads too (as a stack file) and describes the same services, dependencies and probes.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStack } from '../../../src/load/load.js';
import type { Stack } from '../../../src/config/model.js';
import { parseYamlSource } from '../../../src/config/yaml-source.js';
import { importCompose } from '../../../src/compose/import-compose.js';

const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/compose');
const files = readdirSync(CORPUS).filter((f) => f.endsWith('.yml')).sort();
const work = mkdtempSync(path.join(tmpdir(), 'stackctl-corpus-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const ENV = { HOME: '/home/u', DB_PASSWORD: 'dbpw', POSTGRES_PASSWORD: 'pgpw', REDIS_PASSWORD: 'rpw' };

const shape = (stack: Stack) =>
  stack.services.map((s) => ({
    name: s.name,
    image: s.image,
    build: s.build?.context,
    command: s.command,
    environment: s.environment,
    ports: s.ports.map((p) => `${p.published ?? ''}:${p.target}/${p.protocol}`),
    volumes: s.volumes.map((v) => `${v.type}:${v.source ?? ''}:${v.target}`),
    dependsOn: s.dependsOn.map((d) => `${d.service}:${d.condition}:${d.required}`),
    probe: s.readiness?.probe,
    timeoutMs: s.readiness?.timeoutMs,
    restart: s.restart,
    profiles: s.profiles,
  }));

describe('importing the compose corpus', () => {
  it('has at least 20 files', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it.each(files)('%s', async (name) => {
    const file = path.join(CORPUS, name);
    const source = parseYamlSource(readFileSync(file, 'utf8'), file);
    const out = path.join(work, name.replace(/\.yml$/, ''), 'stack.yaml');
    const imported = importCompose(source, { outputFile: out });
    expect(parseYamlSource(imported.text, out).ok).toBe(true);
    // Every profile active: stack.yaml keeps profiled services as the compose file does with `--profile '*'`.
    const original = await loadStack(file, { env: ENV, profiles: ['*'] });
    if (!original.stack) return; // deliberately broken files: imported without a crash is the claim
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, imported.text);
    const reloaded = await loadStack(out, { env: ENV });
    expect(reloaded.format).toBe('stackctl');
    expect(reloaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(shape(reloaded.stack!)).toEqual(shape(original.stack));
  });
});
