/**
 * Property-based fuzzing of the whole CLI over mutated stack and compose files (issue 12): whatever the
 * input, `validate --json`, `plan` and `export compose` end with a known exit code (never 70), print no
 * stack frame, give every finding a location (or a file-level line 0 with a message saying why), finish
 * within a bounded time, and keep memory bounded. Runs in-process through the CLI's own entry (main) —
 * faithful to what a user runs but for process start-up — and spawns the built CLI on a sample.
 *
 * Fixed seed and a time budget, so it is repeatable and stays within CI's minute on two cores.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { dbAndCacheServices } from '../../support/secret-services.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CORPUS = path.join(ROOT, 'test/fixtures/compose');
const SEED = 20261207;
const BUDGET_MS = 30_000;
const PER_CASE_MS = 8_000;

const STACK_YAML = `name: fuzz
env_file: .env
secret_names: { add: [EXTRA_*] }
services:
${dbAndCacheServices({ dbPassword: 'DB_PASSWORD', redisPassword: 'REDIS_PASSWORD' })}  api:
    build:
      context: .
      dockerfile_inline: |
        FROM debian
        COPY */*/x /x
    environment:
      DATABASE_URL: postgresql://app:\${DB_PASSWORD}@db:5432/app
      API_KEY: \${API_KEY:-\${FALLBACK:-none}}
    ports: ["8080:80"]
    depends_on: [db, cache]
    readiness:
      http: { port: 80, path: /health, headers: { X-Api-Key: "\${API_KEY}" } }
`;

const corpus = [
  { name: 'stack.yaml', text: STACK_YAML },
  ...readdirSync(CORPUS)
    .filter((file) => file.endsWith('.yml'))
    .sort()
    .slice(0, 12)
    .map((file) => ({ name: 'docker-compose.yml', text: readFileSync(path.join(CORPUS, file), 'utf8') })),
];

/** Hostile fragments real mistakes and attacks produce. */
const SNIPPETS = [
  '[[[[[[[[[[[[[[[[[[[[',
  `${'['.repeat(400)}${']'.repeat(400)}`,
  `x: "${'${A:-'.repeat(300)}v${'}'.repeat(300)}"`,
  '&a [*a, *a]',
  '*undefined_alias',
  '<<: *nothing',
  '\t\tkey: value',
  'key: "unterminated',
  '${',
  '$${X}',
  '"${API_KEY}:80"',
  '- "${DB_PASSWORD}:5432"',
  'env_file: /dev/zero',
  'env_file: [/etc/shadow]',
  'extends: { file: /etc/passwd, service: root }',
  'readiness: { use: /etc/shadow }',
  'readiness: { use: ../../../../etc/hostname }',
  'extends: api',
  'extends: self',
  'ports: ["99999:80", "-1", "a:b:c:d"]',
  'depends_on: { ghost: { condition: service_healthy } }',
  'healthcheck: { test: ["CMD-SHELL", "exit 0"], interval: -5s }',
  'image: ',
  '? [complex, key]\n: value',
  '--- \n---',
  '\u0000\u0001\u0002',
  '\uFEFFservices:',
  'é𝔘nicode: ✓',
  '9'.repeat(400),
  '!!binary aGVsbG8=',
  '!!python/object:os.system ls',
];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), snippet: fc.constantFrom(...SNIPPETS), indent: fc.integer({ min: 0, max: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('replace-char' as const), at: fc.nat(), char: fc.constantFrom(':', '-', ' ', '\t', '"', "'", '{', '}', '[', ']', '$', '&', '*', '#', '|', '>', '\r', '\n') }),
  fc.record({ kind: fc.constant('line-endings' as const), style: fc.constantFrom('\r', '\r\n') }),
  fc.record({ kind: fc.constant('random-line' as const), at: fc.nat(), line: fc.string({ maxLength: 40 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, mutations: Mutation[]): string {
  let out = text;
  for (const m of mutations) {
    const lines = out.split('\n');
    const line = lines.length === 0 ? 0 : m.kind === 'line-endings' ? 0 : m.at % lines.length;
    switch (m.kind) {
      case 'delete':
        lines.splice(line, 1);
        out = lines.join('\n');
        break;
      case 'duplicate':
        lines.splice(line, 0, lines[line] ?? '');
        out = lines.join('\n');
        break;
      case 'insert':
        lines.splice(line, 0, ' '.repeat(m.indent) + m.snippet);
        out = lines.join('\n');
        break;
      case 'truncate':
        out = out.slice(0, m.at % (out.length + 1));
        break;
      case 'replace-char': {
        const at = m.at % (out.length + 1);
        out = out.slice(0, at) + m.char + out.slice(at + 1);
        break;
      }
      case 'line-endings':
        out = out.replace(/\n/g, m.style);
        break;
      case 'random-line':
        lines.splice(line, 0, m.line);
        out = lines.join('\n');
        break;
    }
  }
  return out;
}

const work = mkdtempSync(path.join(os.tmpdir(), 'stackctl-fuzz-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let caseNumber = 0;

function writeCase(name: string, text: string): { dir: string; file: string } {
  const dir = path.join(work, `case-${caseNumber++}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, '.env'), 'DB_PASSWORD=fuzz-db-password-0001\nREDIS_PASSWORD=fuzz-redis-password-02\nAPI_KEY=fuzz-api-key-000000003\n');
  writeFileSync(path.join(dir, 'Dockerfile'), 'FROM debian\n');
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return { dir, file };
}

const STACK_FRAME = /\n\s+at .*(\.js|\.ts|node:internal)/;
const KNOWN_EXIT = [0, 1, 2];

interface Finding {
  code?: string;
  location?: { file?: unknown; line?: unknown; col?: unknown };
  message?: unknown;
}

function checkOutput(label: string, run: { exitCode: number; stdout: string; stderr: string }): void {
  const both = run.stdout + run.stderr;
  expect(KNOWN_EXIT, `${label}: exit ${run.exitCode}\n${run.stderr.slice(0, 2000)}`).toContain(run.exitCode);
  expect(both, label).not.toMatch(STACK_FRAME);
  expect(both, label).not.toContain('Maximum call stack size exceeded');
  expect(both, label).not.toContain('Invalid string length');
  expect(both, label).not.toMatch(/internal error/);
}

function checkFindings(label: string, json: string): void {
  const report = JSON.parse(json) as { diagnostics: Finding[] };
  for (const finding of report.diagnostics) {
    const location = finding.location;
    expect(typeof location?.file, `${label}: ${finding.code} has no file`).toBe('string');
    expect(typeof location?.line, `${label}: ${finding.code} has no line`).toBe('number');
    // Line 0 is a finding about the whole file; its message must then say what is wrong with it.
    if (location?.line === 0) expect(String(finding.message ?? '').length, `${label}: ${finding.code} at line 0 says nothing`).toBeGreaterThan(10);
  }
}

describe('fuzzing the CLI with mutated stack and compose files', () => {
  it(
    'never crashes, never prints a stack frame, locates every finding, in bounded time and memory',
    async () => {
      const heapBefore = process.memoryUsage().heapUsed;
      let slowest = 0;
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...corpus), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (base, mutations) => {
          const { dir, file } = writeCase(base.name, mutate(base.text, mutations));
          const env = { PATH: process.env.PATH ?? '', HOME: dir, NO_COLOR: '1' };
          const started = Date.now();
          const validate = await runCli(['validate', '-f', file, '--json', '--no-port-check'], { cwd: dir, env });
          checkOutput('validate --json', validate);
          if (validate.exitCode !== 2) checkFindings('validate --json', validate.stdout);
          checkOutput('plan', await runCli(['plan', '-f', file], { cwd: dir, env }));
          checkOutput('export', await runCli(['export', 'compose', '-f', file, '-o', '-'], { cwd: dir, env }));
          const elapsed = Date.now() - started;
          slowest = Math.max(slowest, elapsed);
          runs++;
          expect(elapsed, `three commands on one mutant took ${elapsed} ms`).toBeLessThan(PER_CASE_MS);
          rmSync(dir, { recursive: true, force: true });
        }),
        { seed: SEED, numRuns: 400, interruptAfterTimeLimit: BUDGET_MS, markInterruptAsFailure: false, endOnFailure: true },
      );
      const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
      expect(runs).toBeGreaterThan(20);
      expect(heapGrowth, `heap grew by ${Math.round(heapGrowth / 1e6)} MB over ${runs} cases`).toBeLessThan(512 * 1024 * 1024);
    },
    BUDGET_MS + 30_000,
  );

  const bin = path.join(ROOT, 'bin/stackctl.js');
  it.skipIf(!existsSync(path.join(ROOT, 'dist/cli/main.js')))('the built CLI, spawned on a sample of hostile files, ends with a known exit code and no stack frame', () => {
    const samples = [
      ['stack.yaml', mutate(STACK_YAML, [{ kind: 'insert', at: 6, snippet: SNIPPETS[1]!, indent: 4 }])],
      ['docker-compose.yml', `services:\n  a:\n    image: x\n    environment:\n      X: "${'${A:-'.repeat(3000)}v${'}'.repeat(3000)}"\n`],
      ['docker-compose.yml', `services:\n${Array.from({ length: 4000 }, (_, i) => `  s${i}:\n    extends: s${i + 1}\n`).join('')}  s4000:\n    image: x\n`],
      ['docker-compose.yml', `${'\n'.repeat(1_000_000)}services:\n  a:\n    image: x\n`],
    ] as const;
    for (const [name, text] of samples) {
      const { dir, file } = writeCase(name, text);
      for (const args of [['validate', '-f', file], ['export', 'compose', '-f', file, '-o', '-']]) {
        const run = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } });
        const label = `${args[0]} ${name}`;
        expect(run.signal, `${label} timed out`).toBeNull();
        expect([0, 1], `${label}: ${run.stderr.slice(0, 500)}`).toContain(run.status);
        expect(run.stdout + run.stderr, label).not.toMatch(STACK_FRAME);
        expect(run.stdout + run.stderr, label).not.toContain('Maximum call stack size exceeded');
      }
    }
  }, 120_000);
});
