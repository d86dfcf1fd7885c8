/**
 * Property tests: random compose-shaped documents (right and wrong types, anchors of every syntax form)
 * and truncated corpus files never make the loader, the importer or the exporter throw; they only ever
 * return findings.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadStackSource } from '../../../src/load/load.js';
import { parseYamlSource } from '../../../src/config/yaml-source.js';
import { loadCompose } from '../../../src/compose/load-compose.js';
import { importCompose } from '../../../src/compose/import-compose.js';
import { exportCompose } from '../../../src/compose/export-compose.js';
import { translateHealthcheck } from '../../../src/compose/healthcheck-to-probe.js';

const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/compose');
const FILE = path.join(CORPUS, 'random.yml');

const scalar = fc.oneof(fc.string({ maxLength: 12 }), fc.integer({ min: -5, max: 70000 }), fc.boolean(), fc.constant(null), fc.constantFrom('${X}', '${X:-d}', '$$', '$', '${', '8000:80', './dir:/data:ro', 'a=b', '1m30s'));
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 6 }), tie('v'), { maxKeys: 3 })),
})).v;
const serviceKeys = ['image', 'build', 'command', 'entrypoint', 'environment', 'env_file', 'ports', 'volumes', 'networks', 'depends_on', 'healthcheck', 'restart', 'profiles', 'extends', 'tmpfs', 'x-ext', 'deploy', 'container_name'];
const keyed = (keys: string[]) => fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 6 });
const healthcheck = fc.record({
  test: fc.oneof(fc.constantFrom(['CMD', 'curl', '-f', 'http://localhost:80/'], ['CMD-SHELL', 'pg_isready -U $$X'], ['NONE'], 'redis-cli ping'), value),
  interval: fc.oneof(fc.constantFrom('10s', '1m30s', 'bad'), value),
  retries: value,
});
const service = fc.oneof(
  keyed(serviceKeys),
  fc.record({ image: fc.string({ maxLength: 8 }), healthcheck, depends_on: fc.oneof(fc.array(fc.constantFrom('a', 'b', 'c')), fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.record({ condition: fc.constantFrom('service_started', 'service_healthy', 'bogus') }))) }),
  scalar,
);
const composeDoc = fc.record(
  {
    version: fc.constantFrom('3.8', 3),
    name: fc.string({ maxLength: 8 }),
    services: fc.oneof(fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd-1', 'e.2'), service, { maxKeys: 5 }), value),
    networks: value,
    volumes: value,
    'x-common': value,
  },
  { requiredKeys: ['services'] },
);

describe('compose input never crashes stackctl', () => {
  it('random compose-shaped documents: load, import and export only return findings', async () => {
    await fc.assert(
      fc.asyncProperty(composeDoc, async (doc) => {
        const source = parseYamlSource(stringify(doc), FILE);
        const loaded = await loadCompose(source, { env: {}, cwd: CORPUS });
        expect(Array.isArray(loaded.diagnostics)).toBe(true);
        for (const d of loaded.diagnostics) expect(d.location.file.length).toBeGreaterThan(0);
        const imported = importCompose(source, { outputFile: path.join(CORPUS, 'random.stack.yaml') });
        expect(parseYamlSource(imported.text, 'out.yaml').ok).toBe(true);
        if (loaded.stack) exportCompose(loaded.stack, { outputFile: path.join(CORPUS, 'out.yml') });
      }),
      { numRuns: 300 },
    );
  });

  it('every prefix of every corpus file loads without throwing', async () => {
    const files = readdirSync(CORPUS).filter((f) => f.endsWith('.yml'));
    for (const name of files) {
      const text = readFileSync(path.join(CORPUS, name), 'utf8');
      for (let cut = 0; cut <= text.length; cut += Math.max(1, Math.floor(text.length / 25))) {
        const source = parseYamlSource(text.slice(0, cut), path.join(CORPUS, name));
        const result = await loadStackSource(source, { env: {}, cwd: CORPUS });
        expect(Array.isArray(result.diagnostics)).toBe(true);
        if (source.ok) importCompose(source, { outputFile: path.join(CORPUS, 'x.stack.yaml') });
      }
    }
  });

  it('any healthcheck test translates to a probe, disabled or invalid — never a throw', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(fc.oneof(fc.constantFrom('CMD', 'CMD-SHELL', 'NONE', 'curl', '-f', 'http://localhost:1/', 'redis-cli', 'ping', '-a', 'pg_isready', 'python3', '-c', 'sh'), fc.string())), value), fc.boolean(), (test, raw) => {
        const result = translateHealthcheck(test, { syntax: raw ? 'raw' : 'resolved', containerEnv: (name) => (name.length % 2 === 0 ? undefined : `v-${name}`) });
        expect(['probe', 'disabled', 'invalid']).toContain(result.kind);
      }),
      { numRuns: 2000 },
    );
  });
});
