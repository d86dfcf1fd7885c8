/**
 * runSuite end to end against the local app, its results published as `stackctl test` does
 * (report/publish.ts's publishRun): the four files stored under the reports directory, the
 * comparison of a second run (UNCHANGED), `--baseline` and `--out`, and — the point of this file —
 * no secret value in any output format.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderTerminal } from '../../../src/report/render-terminal.js';
import { publishRun, type PublishedRun } from '../../../src/report/publish.js';
import { defaultReportsDir, runIdFor, uniqueRunId } from '../../../src/report/store.js';
import { runSuite, type RunSuiteOptions } from '../../../src/suite/run-suite.js';
import { MemoryRuntime } from '../../support/memory-runtime.js';
import { API_KEY, PASSWORD, makeStack, service, startApp, type TestApp } from './helpers.js';

const SUITE = `
version: 1
name: secrets
secrets: [TEST_PASSWORD]
vars:
  EMAIL: "me-\${run.id}@example.test"
  LOCAL_SECRET: { value: "local-secret-\${run.random}", secret: true }
categories:
  - name: Service Health
    health: true
    checks:
      - { name: app, service: app, http: { path: /health } }
  - name: Authentication Flow
    checks:
      - name: Login
        service: app
        http: { path: /auth/login, json: { email: "\${vars.EMAIL}", password: "\${TEST_PASSWORD}" } }
        capture: { token: access_token }
      - name: Validate
        service: app
        http: { path: /auth/validate, headers: { Authorization: "Bearer \${captures.token}" } }
      - name: Echoes secrets back in an error
        service: app
        http: { path: "/echo?value=\${captures.token}-\${TEST_PASSWORD}-\${vars.LOCAL_SECRET}", headers: { X-API-Key: "\${API_KEY}" } }
        expect: { status: 200 }
      - name: Secret in the URL
        service: app
        http: { path: "/secure?key=\${API_KEY}", headers: { X-API-Key: "\${API_KEY}" } }
`;

let app: TestApp;
let dir: string;
const signal = new AbortController().signal;

beforeAll(async () => {
  app = await startApp();
  dir = await mkdtemp(join(tmpdir(), 'stackctl-runsuite-'));
  await writeFile(join(dir, 'suite.yaml'), SUITE);
  await writeFile(join(dir, '.env'), `TEST_PASSWORD=${PASSWORD}\nAPI_KEY=${API_KEY}\n`);
});
afterAll(async () => {
  await app.close();
  await rm(dir, { recursive: true, force: true });
});

function stack() {
  return makeStack(dir, [service('app', app.port)], { suite: join(dir, 'suite.yaml') });
}

interface TestRunOptions extends Omit<RunSuiteOptions, 'signal' | 'runId'> {
  baseline?: string;
  outDir?: string;
  failOnRegression?: boolean;
}

/** What `stackctl test` does: the suite's results, then the report built, compared and stored. */
async function testRun({ baseline, outDir, failOnRegression, ...suiteOptions }: TestRunOptions): Promise<PublishedRun> {
  const reportsDir = defaultReportsDir(dir);
  const results = await runSuite(stack(), { signal, runId: (started) => uniqueRunId(reportsDir, started), ...suiteOptions });
  return publishRun(results, {
    reportsDir,
    cwd: dir,
    redactor: results.redactor,
    ...(baseline !== undefined ? { baseline } : {}),
    ...(outDir !== undefined ? { outDir } : {}),
    ...(failOnRegression ? { failOnRegression } : {}),
  });
}

function outputs(run: PublishedRun): Record<string, string> {
  const files = run.paths;
  const texts: Record<string, string> = {
    'report.json': readFileSync(files.json, 'utf8'),
    'report.md': readFileSync(files.markdown, 'utf8'),
    'report.html': readFileSync(files.html, 'utf8'),
    'junit.xml': readFileSync(files.junit, 'utf8'),
    terminal: renderTerminal(run.report),
    '--json': JSON.stringify(run.report),
  };
  if (run.copies) {
    for (const [name, file] of Object.entries({ json: run.copies.json, md: run.copies.markdown, html: run.copies.html, junit: run.copies.junit })) {
      texts[`--out ${name}`] = readFileSync(file, 'utf8');
    }
  }
  return texts;
}

describe('runSuite', () => {
  it('returns the results and writes nothing: the report is its caller\'s', async () => {
    const results = await runSuite(stack(), { signal, runId: () => 'fixed-id', env: { ...process.env, TEST_PASSWORD: PASSWORD, API_KEY } });
    expect(results.run).toMatchObject({ id: 'fixed-id', cancelled: false, suite: { name: 'secrets' } });
    expect(results.checks.map((c) => c.status)).toEqual(['passed', 'passed', 'passed', 'failed', 'passed']);
    expect(results.services).toEqual([expect.objectContaining({ name: 'app', port: app.port })]);
    // The results quote the secret suite var the run made up (the echo check); the redactor they
    // carry knows it, so whoever writes them can redact it.
    const raw = JSON.stringify(results.checks);
    expect(raw).toMatch(/local-secret-[0-9a-f]{16}/);
    expect(results.redactor.redact(raw)).not.toMatch(/local-secret-[0-9a-f]{16}/);
    expect(existsSync(join(dir, '.stackctl'))).toBe(false);
  });

  let first: PublishedRun;
  let second: PublishedRun;

  it('runs, stores the four files under the reports directory, and is the first run', async () => {
    first = await testRun({ env: { ...process.env, TEST_PASSWORD: PASSWORD, API_KEY } });
    expect(first.report.summary).toMatchObject({ total: 5, passed: 4, failed: 1, skipped: 0 });
    expect(first.exitCode).toBe(1);
    expect(first.report.comparison).toBeUndefined();
    expect(first.paths.dir).toBe(join(dir, '.stackctl', 'reports', first.report.run.id));
    // The id is minted for the moment the suite started, as before the report moved to the caller.
    expect(first.report.run.id).toBe(runIdFor(new Date(first.report.run.startedAt)));
    for (const file of [first.paths.json, first.paths.markdown, first.paths.html, first.paths.junit]) expect(existsSync(file)).toBe(true);
    expect(first.report.run.stack.configHash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.report.services).toEqual([expect.objectContaining({ name: 'app', port: app.port, status: 'degraded' })]);
  });

  it('compares a second run with the first: UNCHANGED', async () => {
    second = await testRun({ env: { ...process.env, TEST_PASSWORD: PASSWORD, API_KEY }, outDir: 'ci-artifacts' });
    expect(second.report.run.id).not.toBe(first.report.run.id);
    expect(second.report.comparison?.baseline.id).toBe(first.report.run.id);
    // Every check and rate is the same. Response times may still move beyond the tolerance on a
    // loaded machine (the first run's requests are the cold ones): then only they may differ.
    const comparison = second.report.comparison!;
    const moved = comparison.metrics.filter((m) => m.status !== 'same' && m.status !== 'n/a');
    expect(moved.filter((m) => m.unit !== 'ms')).toEqual([]);
    expect(comparison.newlyFailing).toEqual([]);
    expect(comparison.newlyPassing).toEqual([]);
    if (moved.length === 0) {
      expect(comparison.verdict).toBe('UNCHANGED');
      expect(readFileSync(second.paths.markdown, 'utf8')).toContain('## 📈 Comparison with baseline — ➖ UNCHANGED');
    }
    expect(second.copies?.dir).toBe(join(dir, 'ci-artifacts'));
    expect(await readdir(join(dir, 'ci-artifacts'))).toEqual(['junit.xml', 'report.html', 'report.json', 'report.md']);
  });

  it('takes --baseline by run id, and --fail-on-regression turns a regression into exit 1', async () => {
    const broken = await testRun({ env: { ...process.env, TEST_PASSWORD: 'wrong', API_KEY }, baseline: first.report.run.id, failOnRegression: true });
    expect(broken.report.comparison?.baseline.id).toBe(first.report.run.id);
    expect(broken.report.comparison?.verdict).toBe('REGRESSION');
    expect(broken.report.comparison?.newlyFailing.map((c) => c.id)).toEqual(['authentication-flow/login', 'authentication-flow/validate']);
    expect(broken.exitCode).toBe(1);
  });

  it('says up front when none of the stack\'s containers runs', async () => {
    const notes: string[] = [];
    const run = await testRun({ env: { ...process.env, TEST_PASSWORD: PASSWORD, API_KEY }, runtime: new MemoryRuntime(), onNote: (note) => notes.push(note) });
    expect(notes).toEqual([expect.stringMatching(/no container of stack .* is running: the checks will fail — start the stack first/)]);
    // The ports the stack file declares are still tried (here the local app answers on them).
    expect(run.report.checks.find((c) => c.id === 'service-health/app')?.status).toBe('passed');
  });

  it('never writes a secret value in any output format', () => {
    const secrets = [API_KEY, PASSWORD, ...app.tokens];
    expect(app.tokens.length).toBeGreaterThanOrEqual(2);
    const local = /local-secret-[0-9a-f]{16}/;
    for (const run of [first, second]) {
      for (const [name, text] of Object.entries(outputs(run))) {
        for (const secret of secrets) expect(text.includes(secret), `${name} contains ${secret.slice(0, 4)}…`).toBe(false);
        expect(local.test(text), `${name} contains the secret suite var`).toBe(false);
        expect(text, name).toContain('***');
      }
    }
    const echoed = second.report.checks.find((c) => c.id === 'authentication-flow/echoes-secrets-back-in-an-error');
    expect(echoed?.message).toBe('expected status 200, got 500: {"error":"rejected ***-***-*** and ***"}');
    expect(second.report.checks.find((c) => c.id === 'authentication-flow/secret-in-the-url')?.request?.url).toBe(`http://127.0.0.1:${app.port}/secure?key=***`);
  });
});
