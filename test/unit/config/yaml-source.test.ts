import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { parseYamlSource } from '../../../src/config/yaml-source.js';

describe('parseYamlSource', () => {
  it('keeps positions: locate returns 1-based line/col of values and keys', () => {
    const src = parseYamlSource('name: demo\nservices:\n  web:\n    image: nginx\n    ports: ["80:80"]\n', '/x/stack.yaml');
    expect(src.ok).toBe(true);
    expect(src.locate(['services', 'web', 'image'])).toEqual({ file: '/x/stack.yaml', line: 4, col: 12 });
    expect(src.locateKey(['services', 'web', 'image'])).toEqual({ file: '/x/stack.yaml', line: 4, col: 5 });
    expect(src.locate(['services', 'web', 'ports', 0])).toEqual({ file: '/x/stack.yaml', line: 5, col: 13 });
  });

  it('locates through an alias to the last anchor of that name before it (anchors may be redefined)', () => {
    const text = 'x-a: &a\n  image: one\nx-b: &a\n  image: two\nservices:\n  web:\n    <<: *a\n';
    const src = parseYamlSource(text, 'f.yaml');
    expect(src.value).toMatchObject({ services: { web: { image: 'two' } } });
    expect(src.locate(['services', 'web', 'image'])).toMatchObject({ line: 4, col: 10 });
  });

  it('falls back to the nearest existing ancestor', () => {
    const src = parseYamlSource('services:\n  web:\n    image: nginx\n', 'f.yaml');
    expect(src.locate(['services', 'web', 'readiness', 'http'])).toMatchObject({ line: 2, col: 3 });
    expect(src.locate(['nope'])).toMatchObject({ line: 1, col: 1 });
  });

  it('reports every syntax error with line and column', () => {
    const src = parseYamlSource('a: [1, 2\nb: "unterminated\nc: d\n', 'f.yaml');
    expect(src.ok).toBe(false);
    expect(src.value).toBeUndefined();
    expect(src.diagnostics.length).toBeGreaterThanOrEqual(2);
    for (const d of src.diagnostics) {
      expect(d.code).toBe('YAML001');
      expect(d.location.line).toBeGreaterThan(0);
    }
  });

  it('points an unclosed [ or { at the bracket that opens it, not at the end of the file', () => {
    const seq = parseYamlSource('name: x\nservices:\n  a:\n    image: [unclosed\n', 'f.yaml');
    expect(seq.diagnostics).toHaveLength(1);
    expect(seq.diagnostics[0]).toMatchObject({ code: 'YAML001', location: { line: 4, col: 12 } });
    expect(seq.diagnostics[0]?.message).toMatch(/never closed/);
    const map = parseYamlSource('a:\n  - {b: 1\n  - c\n', 'f.yaml');
    expect(map.diagnostics[0]).toMatchObject({ code: 'YAML001', location: { line: 2, col: 5 } });
  });

  it('reports duplicate keys at the second key', () => {
    const src = parseYamlSource('a: 1\nb: 2\na: 3\n', 'f.yaml');
    expect(src.diagnostics[0]).toMatchObject({ code: 'YAML001', location: { line: 3, col: 1 } });
  });

  it('resolves anchors, aliases and merge keys, and locates through them', () => {
    const text = 'x-env: &env\n  LOG_LEVEL: info\n  A: b\nservices:\n  web:\n    environment:\n      <<: *env\n      A: c\n';
    const src = parseYamlSource(text, 'f.yaml');
    expect(src.value).toEqual({
      'x-env': { LOG_LEVEL: 'info', A: 'b' },
      services: { web: { environment: { LOG_LEVEL: 'info', A: 'c' } } },
    });
    expect(src.locate(['services', 'web', 'environment', 'LOG_LEVEL'])).toMatchObject({ line: 2, col: 14 });
    expect(src.locate(['services', 'web', 'environment', 'A'])).toMatchObject({ line: 8, col: 10 });
  });

  it('locates a substring inside a scalar, including in block scalars', () => {
    const src = parseYamlSource('cmd: |\n  redis-server\n  --requirepass ${REDIS_PASSWORD}\n', 'f.yaml');
    expect(src.locateInScalar(['cmd'], '${REDIS_PASSWORD}')).toMatchObject({ line: 3, col: 17 });
  });

  it('refuses alias bombs instead of exhausting memory', () => {
    let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 9; i++) text += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    const src = parseYamlSource(text, 'f.yaml');
    expect(src.ok).toBe(false);
    expect(src.diagnostics[0]?.code).toBe('YAML001');
  });

  it('treats an empty file as an empty document', () => {
    const src = parseYamlSource('', 'f.yaml');
    expect(src.ok).toBe(true);
    expect(src.value).toBeNull();
  });

  it('resolves aliases and merge keys exactly as the yaml package does (redefined anchors, nested merges, lists of merges)', () => {
    const text = [
      'x-a: &a { image: one, environment: { A: "1" } }',
      'x-b: &b { restart: always, <<: *a }',
      'x-c: &c [x, *a]',
      'services:',
      '  web: { <<: [*b, *a], image: own, list: *c }',
      'x-a2: &a { image: two }',
      '  ',
      'other:',
      '  api: { <<: *a, extra: *b }',
    ].join('\n');
    const src = parseYamlSource(text, 'f.yaml');
    expect(src.ok).toBe(true);
    expect(src.value).toEqual(parseDocument(text, { merge: true }).toJS());
    expect(src.value).toMatchObject({ services: { web: { image: 'own', restart: 'always', environment: { A: '1' } } }, other: { api: { image: 'two' } } });
  });

  it('locates keys through lists of merges, nested merges and a map shared by many services, the same on every call (as before the merge sources were cached)', () => {
    const text = [
      'x-a: &a { image: one, environment: { A: "1" } }', // line 1
      'x-b: &b { restart: always, <<: *a }', // line 2
      'services:',
      '  web: { <<: [*b, *a], image: own }', // line 4
      '  api: { <<: [*b, *a] }', // line 5
    ].join('\n');
    const src = parseYamlSource(text, 'f.yaml');
    for (let round = 0; round < 2; round++) {
      expect(src.locate(['services', 'web', 'image'])).toEqual({ file: 'f.yaml', line: 4, col: 31 });
      expect(src.locate(['services', 'web', 'restart'])).toEqual({ file: 'f.yaml', line: 2, col: 20 });
      expect(src.locateKey(['services', 'api', 'image'])).toEqual({ file: 'f.yaml', line: 1, col: 11 });
      expect(src.locate(['services', 'api', 'environment', 'A'])).toEqual({ file: 'f.yaml', line: 1, col: 41 });
      expect(src.locateKey(['services', 'api', 'missing'])).toEqual({ file: 'f.yaml', line: 5, col: 3 });
    }
  });

  it('reads a long flat file that merges its anchors into thousands of services (the alias budget grows with the text)', () => {
    const lines = ['x-env: &env { LOG_LEVEL: info }', 'x-defaults: &defaults', '  restart: always', '  environment: { <<: *env }', 'services:'];
    for (let i = 0; i < 5000; i++) lines.push(`  s${i}: { <<: *defaults, image: app }`);
    const src = parseYamlSource(`${lines.join('\n')}\n`, 'f.yaml');
    expect(src.diagnostics).toEqual([]);
    expect((src.value as { services: Record<string, unknown> }).services.s4999).toEqual({ restart: 'always', environment: { LOG_LEVEL: 'info' }, image: 'app' });
  });
});
