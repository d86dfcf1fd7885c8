/**
 * Property tests: whatever text the loader gets — random, truncated, structurally random — it returns
 * findings and never throws; a loaded stack always validates without throwing either.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadStackSource } from '../../../src/load/load.js';
import { parseYamlSource } from '../../../src/config/yaml-source.js';
import { validateStack } from '../../../src/validate/validate.js';

const FIXTURES = path.resolve(__dirname, '../../fixtures/validate');
const FILE = path.join(FIXTURES, 'ok', 'stack.yaml');

async function loadText(text: string, file = FILE): Promise<void> {
  const result = await loadStackSource(parseYamlSource(text, file), { env: {}, cwd: FIXTURES });
  expect(Array.isArray(result.diagnostics)).toBe(true);
  for (const d of result.diagnostics) {
    expect(typeof d.code).toBe('string');
    expect(typeof d.message).toBe('string');
    expect(d.location.line).toBeGreaterThanOrEqual(0);
  }
  if (!result.stack) expect(result.diagnostics.some((d) => d.severity === 'error')).toBe(true);
  else await validateStack(result.stack, { checkHostPorts: false });
}

const keys = ['name', 'services', 'image', 'build', 'command', 'environment', 'ports', 'volumes', 'networks', 'depends_on', 'readiness',
  'http', 'tcp', 'postgres', 'redis', 'port', 'path', 'condition', 'secrets', 'requires_env', 'start_timeout', 'restart', 'use', 'with',
  'context', 'dockerfile', 'aliases', 'env_file', 'x-a', '<<', 'stackctl'];
const scalar = fc.oneof(
  fc.constantFrom('${A}', '${A:-x}', '${B:?boom}', '$$', '$', '${', 'redis://:${P}@redis:6379', '127.0.0.1:80:80', '30s', 'ready', '-1', '99999', '', '~'),
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -5, max: 70000 }),
  fc.boolean(),
  fc.constant(null),
);
const tree = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
  list: fc.array(tie('node'), { maxLength: 4 }),
  map: fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 6 })), tie('node'), { maxKeys: 5 }),
})).node;

describe('loader robustness', () => {
  it('every prefix of valid stack files loads without throwing', async () => {
    const files = ['ok/stack.yaml', 'redis-url-no-password/stack.yaml', 'cycle/stack.yaml', '../../../stack.yaml'];
    for (const name of files) {
      let text: string;
      try {
        text = readFileSync(path.join(FIXTURES, name), 'utf8');
      } catch {
        continue;
      }
      // ~120 cuts per file, plus every cut inside the first 200 characters.
      const step = Math.max(1, Math.floor(text.length / 120));
      for (let cut = 0; cut <= text.length; cut += cut < 200 ? 1 : step) await loadText(text.slice(0, cut), path.join(FIXTURES, name));
    }
  });

  it('random text only ever produces findings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (text) => loadText(text)),
      { numRuns: 300 },
    );
  });

  it('random YAML-ish text (keys, indentation, flow syntax) only ever produces findings', async () => {
    const piece = fc.constantFrom('name: x\n', 'services:\n', '  a:\n', '    image: i\n', '    ports: [', ']\n', '    - "80:80"\n', '{', '}', ': ', '&a ', '*a', '<<: *a\n', '"', "'", '\t', '  ', '#', '---\n', '${X}', '|\n', '? ', '!!binary ', '%YAML 1.2\n');
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 40 }), async (pieces) => loadText(pieces.join(''))),
      { numRuns: 300 },
    );
  });

  it('structurally random documents (stack-shaped keys, wrong types) only ever produce findings', async () => {
    await fc.assert(
      fc.asyncProperty(tree, fc.dictionary(fc.constantFrom(...keys), tree, { maxKeys: 4 }), async (random, service) => {
        await loadText(stringify(random));
        await loadText(stringify({ name: 'p', services: { a: { image: 'i', ...service }, b: random } }));
      }),
      { numRuns: 300 },
    );
  });
});
