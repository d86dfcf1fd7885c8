import { describe, expect, it } from 'vitest';
import { interpolateString, interpolateTree, mergeEnvironment } from '../../../src/config/interpolate.js';
import { parseYamlSource } from '../../../src/config/yaml-source.js';

const env = { SET: 'v', EMPTY: '', PW: 's3cret' };

describe('interpolateString', () => {
  it.each([
    ['${SET}', 'v'],
    ['$SET-x', 'v-x'],
    ['${UNSET}', ''],
    ['${UNSET:-d}', 'd'],
    ['${EMPTY:-d}', 'd'],
    ['${EMPTY-d}', ''],
    ['${UNSET-d}', 'd'],
    ['${SET:+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['${EMPTY+alt}', 'alt'],
    ['${UNSET+alt}', ''],
    ['${UNSET:-${SET}}', 'v'],
    ['${UNSET:-${ALSO_UNSET:-deep}}', 'deep'],
    ['$$SET costs $$5', '$SET costs $5'],
    ['redis://:${PW}@redis:6379/0', 'redis://:s3cret@redis:6379/0'],
    ['${SET:-a}}', 'v}'],
    ['${UNSET:-{ a: 1 }}', '{ a: 1 }'],
    ['${UNSET:-{}x}y', '{}xy'],
  ])('%s → %s', (input, expected) => {
    const result = interpolateString(input, env);
    expect(result.problems).toEqual([]);
    expect(result.value).toBe(expected);
  });

  it('records references with value, operator and defaulted', () => {
    const result = interpolateString('${UNSET:-${SET}} $EMPTY', env);
    expect(result.references).toEqual([
      { name: 'UNSET', expression: '${UNSET:-${SET}}', offset: 0, operator: ':-', value: undefined, defaulted: true },
      { name: 'SET', expression: '${SET}', offset: 9, value: 'v', defaulted: false },
      { name: 'EMPTY', expression: '$EMPTY', offset: 17, value: '', defaulted: false },
    ]);
  });

  it('evaluates defaults lazily: an unused default raises nothing', () => {
    const result = interpolateString('${SET:-${NOPE:?boom}}', env);
    expect(result.problems).toEqual([]);
    expect(result.references.map((r) => r.name)).toEqual(['SET']);
  });

  it.each([
    ['${UNSET:?set it please}', 'required variable UNSET is not set: set it please'],
    ['${EMPTY:?}', 'required variable EMPTY is empty'],
    ['${UNSET?}', 'required variable UNSET is not set'],
  ])('%s fails with a message', (input, message) => {
    expect(interpolateString(input, env).problems).toMatchObject([{ kind: 'required', message }]);
  });

  it('accepts ${EMPTY?} (set, although empty)', () => {
    expect(interpolateString('${EMPTY?}', env).problems).toEqual([]);
  });

  it.each(['${', '${SET', '$1', 'cost: $', '${1A}', '${A:0:2}', '${A:-x'])('%s is a syntax problem', (input) => {
    const result = interpolateString(input, env);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.kind).toBe('syntax');
  });
});

describe('interpolateTree', () => {
  it('interpolates values, locates each reference and reports `?` failures at their line', () => {
    const text = [
      'services:',
      '  redis:',
      '    command: redis-server --requirepass ${REDIS_PASSWORD}',
      '    environment:',
      '      A: ${PW} and ${PW}',
      '      B: ${NEEDED:?must be set}',
      '',
    ].join('\n');
    const source = parseYamlSource(text, '/s/stack.yaml');
    const result = interpolateTree(source.value, env, source);
    expect(result.value).toEqual({
      services: { redis: { command: 'redis-server --requirepass ', environment: { A: 's3cret and s3cret', B: '' } } },
    });
    expect(result.references.map((r) => [r.name, r.service, r.location.line, r.location.col])).toEqual([
      ['REDIS_PASSWORD', 'redis', 3, 41],
      ['PW', 'redis', 5, 10],
      ['PW', 'redis', 5, 20],
      ['NEEDED', 'redis', 6, 10],
    ]);
    expect(result.diagnostics).toMatchObject([
      { code: 'INTERP002', severity: 'error', service: 'redis', location: { line: 6, col: 10 }, message: 'required variable NEEDED is not set: must be set' },
    ]);
  });

  it('reports malformed expressions as INTERP001 at the value', () => {
    const source = parseYamlSource('x:\n  y: "price $5"\n', 'f.yaml');
    const result = interpolateTree(source.value, {}, source);
    expect(result.diagnostics).toMatchObject([{ code: 'INTERP001', location: { line: 2, col: 6 } }]);
  });
});

describe('mergeEnvironment', () => {
  it('puts the process env over env files, a later file over an earlier one', () => {
    expect(mergeEnvironment({ A: 'proc' }, { A: 'f1', B: 'f1', C: 'f1' }, { B: 'f2' })).toEqual({ A: 'proc', B: 'f2', C: 'f1' });
  });
});
