/**
 * The suite runner against a small HTTP app on 127.0.0.1: captures, requires/skips, expectations,
 * root causes, load and metric checks, an external step's JUnit merged in, and cancellation.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseYamlSource } from '../../../src/config/yaml-source.js';
import type { Diagnosis } from '../../../src/diagnose/model.js';
import type { CheckResult } from '../../../src/report/model.js';
import { Redactor } from '../../../src/secrets.js';
import { RunContext } from '../../../src/suite/context.js';
import { parseSuite } from '../../../src/suite/load-suite.js';
import { runChecks, prepareContext } from '../../../src/suite/runner.js';
import type { KnownDiagnosis } from '../../../src/suite/root-cause.js';
import { endpointsFromStack } from '../../../src/suite/service-state.js';
import { API_KEY, PASSWORD, deadPort, makeStack, service, startApp, type TestApp } from './helpers.js';

let app: TestApp;
let down: number;
let down2: number;
let dir: string;

beforeAll(async () => {
  app = await startApp();
  down = await deadPort();
  down2 = await deadPort();
  dir = await mkdtemp(join(tmpdir(), 'stackctl-runner-'));
});
afterAll(async () => {
  await app.close();
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  results: CheckResult[];
  byId: Record<string, CheckResult>;
  ctx: RunContext;
}

async function run(yaml: string, options: { diagnoses?: Map<string, KnownDiagnosis>; env?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Run> {
  const stack = makeStack(dir, [service('app', app.port), service('platform', down), service('gateway', down2, ['platform'])]);
  const source = parseYamlSource(yaml, join(dir, 'suite.yaml'));
  const { suite, diagnostics } = parseSuite(source, { stack });
  if (!suite) throw new Error(diagnostics.map((d) => `${d.location.line}:${d.location.col} ${d.message}`).join('\n'));
  const ctx = new RunContext({
    signal: options.signal ?? new AbortController().signal,
    env: { API_KEY, TEST_PASSWORD: PASSWORD, ...options.env },
    runId: 'run-1',
    random: 'abc123',
    endpoints: endpointsFromStack(stack),
    redactor: new Redactor([API_KEY]),
    scratchDir: dir,
    launchBrowser: () => Promise.reject(new Error('no browser in this test')),
  });
  prepareContext(suite, ctx);
  const results = await runChecks(suite, ctx, options.diagnoses ? { diagnoses: options.diagnoses } : {});
  return { results, byId: Object.fromEntries(results.map((r) => [r.id, r])), ctx };
}

const AUTH_SUITE = `
version: 1
name: t
vars:
  EMAIL: "user-\${run.id}@example.test"
categories:
  - name: Authentication Flow
    checks:
      - name: Login
        id: login
        service: app
        http:
          path: /auth/login
          json: { email: "\${vars.EMAIL}", password: "\${TEST_PASSWORD:-nope}" }
        expect:
          status: 200
          json:
            token_type: bearer
            user.email: "\${vars.EMAIL}"
            records: { type: array, min_length: 2 }
            "records[1].id": rec2
        capture:
          token: access_token
          first_record: "records[0].id"
      - name: JWT Validation
        service: app
        skip_reason: No session tokens
        http:
          path: /auth/validate
          headers: { Authorization: "Bearer \${captures.token}" }
        expect: { status: 200, json: { valid: true } }
      - name: Session Management
        service: app
        skip_reason: No session tokens
        requires: jwt-validation
        http: { path: "/auth/validate", headers: { Authorization: "Bearer \${captures.token}" } }
`;

describe('captures and requires', () => {
  it('captures a token from JSON and sends it in a later check', async () => {
    const { byId, ctx } = await run(AUTH_SUITE);
    expect(byId['authentication-flow/login']).toMatchObject({ status: 'passed', response: { status: 200 } });
    expect(byId['authentication-flow/jwt-validation']).toMatchObject({ status: 'passed', requires: ['authentication-flow/login'] });
    expect(byId['authentication-flow/session-management']?.status).toBe('passed');
    expect(ctx.captures.get('first_record')).toBe('rec1');
    // "token" names a secret: it is registered for redaction the moment it is captured.
    const token = ctx.captures.get('token') as string;
    expect(ctx.redactor.redact(`Bearer ${token}`)).toBe('Bearer ***');
    expect(byId['authentication-flow/login']?.latencyMs).toBeGreaterThan(0);
  });

  it('skips the dependents of a failed check with the reason, transitively', async () => {
    const { byId } = await run(AUTH_SUITE, { env: { TEST_PASSWORD: 'wrong-password' } });
    expect(byId['authentication-flow/login']).toMatchObject({ status: 'failed', message: 'expected status 200, got 401: {"error":"invalid credentials"}' });
    expect(byId['authentication-flow/jwt-validation']).toMatchObject({
      status: 'skipped',
      message: 'No session tokens (requires authentication-flow/login, which failed)',
    });
    expect(byId['authentication-flow/session-management']).toMatchObject({
      status: 'skipped',
      message: 'No session tokens (requires authentication-flow/jwt-validation, which was skipped)',
    });
  });
});

describe('expectations', () => {
  it('lists every unmet expectation of a response', async () => {
    const { byId } = await run(`
version: 1
name: t
categories:
  - name: E
    checks:
      - name: wrong status
        service: app
        http: { path: /health }
        expect: { status: [201, "3xx"], json: { status: down } }
      - name: all wrong
        service: app
        http: { path: /health }
        expect:
          status: 200
          body: "healthy"
          json: { status: down, missing: { exists: true }, service: { matches: "^x" } }
          headers: { x-request-id: "^other", x-absent: "." }
      - name: all right
        service: app
        http: { path: /health }
        expect:
          status: "2xx"
          body: '"status":\\s*"ok"'
          json: { status: ok, service: { type: string }, nothing: { exists: false } }
          headers: { content-type: json, x-request-id: "^req-" }
          max_ms: 5000
      - name: too slow
        service: app
        http: { path: /slow }
        expect: { max_ms: 50 }
      - name: api key from the environment
        service: app
        http: { path: /secure, headers: { X-API-Key: "\${API_KEY}" } }
      - name: unset variable
        service: app
        http: { path: /secure, headers: { X-API-Key: "\${NOT_SET_ANYWHERE}" } }
`);
    // A wrong status says only that: the other expectations describe another response.
    expect(byId['e/wrong-status']?.message).toBe('expected status one of 201, 3xx, got 200: {"status":"ok","service":"app"}');
    expect(byId['e/all-wrong']?.message?.split('; ')).toEqual([
      'body does not match /healthy/: {"status":"ok","service":"app"}',
      'header x-request-id is "req-1", which does not match /^other/',
      'header x-absent is missing',
      'JSON field status is "ok", expected "down"',
      'JSON field missing is missing',
      'JSON field service is "app", which does not match /^x/',
    ]);
    expect(byId['e/all-right']?.status).toBe('passed');
    expect(byId['e/too-slow']?.message).toMatch(/^response took \d+ ms, limit 50 ms$/);
    expect(byId['e/api-key-from-the-environment']?.status).toBe('passed');
    expect(byId['e/unset-variable']).toMatchObject({
      status: 'failed',
      message: '${NOT_SET_ANYWHERE} has no value',
      hint: "set NOT_SET_ANYWHERE in the environment or in the stack's .env",
    });
  });
});

describe('root causes', () => {
  const diagnosis: Diagnosis = {
    service: 'platform',
    state: 'failed',
    lastLogLines: ['redis.exceptions.AuthenticationError: NOAUTH Authentication required.'],
    rootCause: { code: 'redis-auth', summary: 'NOAUTH Authentication required', hint: 'pass REDIS_PASSWORD to platform', evidence: 'NOAUTH Authentication required.' },
  };
  const blocked: Diagnosis = { service: 'gateway', state: 'blocked', blockedBy: 'platform', lastLogLines: [], rootCause: { code: 'redis-auth', summary: 'blocked by platform: NOAUTH Authentication required', hint: 'fix platform first' } };
  const SUITE = `
version: 1
name: t
categories:
  - name: Service Health
    health: true
    checks:
      - { name: platform, service: platform, http: { path: /health } }
      - { name: gateway, service: gateway, http: { path: /health } }
      - { name: app, service: app, http: { path: /health } }
  - name: Through the gateway
    checks:
      - { name: login, service: platform, http: { url: "http://127.0.0.1:${'${services.app.port}'}/gateway" } }
      - { name: app bug, service: app, http: { path: /broken }, hint: "the app's own bug" }
`;

  it("carries up's diagnosis of a down service, and of the failed dependency of a blocked one", async () => {
    const { byId } = await run(SUITE, {
      diagnoses: new Map([
        ['platform', { diagnosis, source: 'up' }],
        ['gateway', { diagnosis: blocked, source: 'up' }],
      ]),
    });
    expect(byId['service-health/platform']).toMatchObject({
      status: 'failed',
      health: true,
      rootCause: { service: 'platform', source: 'up', code: 'redis-auth', summary: 'NOAUTH Authentication required', hint: 'pass REDIS_PASSWORD to platform' },
    });
    expect(byId['service-health/platform']?.message).toMatch(/ECONNREFUSED/);
    expect(byId['service-health/gateway']?.rootCause).toMatchObject({ service: 'gateway', blockedBy: 'platform', summary: 'NOAUTH Authentication required' });
    // A 502 from a gateway in front of the check's service: the service's diagnosis explains it.
    expect(byId['through-the-gateway/login']?.rootCause).toMatchObject({ service: 'platform', code: 'redis-auth' });
    // An application error on a healthy service has no infrastructure root cause; its hint stays.
    expect(byId['through-the-gateway/app-bug']).toMatchObject({ status: 'failed', hint: "the app's own bug" });
    expect(byId['through-the-gateway/app-bug']?.rootCause).toBeUndefined();
  });

  it('without diagnoses, says nothing listens on the port', async () => {
    const { byId } = await run(SUITE);
    expect(byId['service-health/platform']?.rootCause).toMatchObject({
      service: 'platform',
      source: 'check',
      code: 'connection-refused',
      summary: `nothing accepted the connection on 127.0.0.1:${down}`,
    });
  });
});

describe('performance checks', () => {
  it('sends 50 concurrent requests, then judges the run so far', async () => {
    const before = app.requests;
    const { byId } = await run(`
version: 1
name: t
categories:
  - name: Performance
    checks:
      - name: health
        service: app
        http: { path: /health }
      - name: 50 concurrent requests
        service: app
        load: { path: /health, requests: 50, concurrency: 50, max_p95_ms: 5000 }
      - name: broken
        service: app
        http: { path: /broken }
      - { name: average response time, metric: { name: avg_response_ms, max: 5000 } }
      - { name: error rate, metric: { name: error_rate, max: 5 } }
      - { name: failing load, service: app, load: { path: /broken, requests: 4, concurrency: 2 } }
`);
    expect(app.requests - before).toBe(1 + 50 + 1 + 4);
    expect(byId['performance/50-concurrent-requests']).toMatchObject({ status: 'passed', measurements: { requests: 50, concurrency: 50, succeeded: 50, successRate: 100 } });
    expect(byId['performance/average-response-time']?.status).toBe('passed');
    // 1 of the 4 checks executed before it failed (the average metric counts as one that passed).
    expect(byId['performance/error-rate']).toMatchObject({ status: 'failed', message: 'error rate 25.0% over 4 earlier checks, must be below 5.0%' });
    expect(byId['performance/failing-load']?.message).toBe('0 of 4 requests answered 2xx (0.0%, needs 100%); first failure: got 500');
  });
});

describe('external steps', () => {
  it('merges the JUnit cases a command writes into the category', async () => {
    const script = join(dir, 'write-junit.mjs');
    await writeFile(
      script,
      `import { writeFileSync } from 'node:fs';
writeFileSync(process.argv[2], \`<?xml version="1.0"?>
<testsuites><testsuite name="py" tests="4">
  <testcase classname="tests.test_api" name="test_list" time="0.012"/>
  <testcase classname="tests.test_api" name="test_create" time="0.5"><failure message="assert 500 == 201">Traceback &amp; details
second line</failure></testcase>
  <testcase classname="tests.test_api" name="test_skip"><skipped message="needs S3"/></testcase>
  <!-- a comment --><testcase name="plain &lt;case&gt;" time="1"><![CDATA[ignored]]></testcase>
</testsuite></testsuites>\`);
process.exit(process.env.STEP_EXIT ? Number(process.env.STEP_EXIT) : 1);
`,
    );
    const { results } = await run(`
version: 1
name: t
categories:
  - name: Backend unit tests
    checks:
      - name: pytest
        external: { command: ["node", "${script}", "\${step.junit}"] }
      - name: after
        requires: pytest
        metric: { name: success_rate, min: 0 }
      - name: missing tool
        external: { command: "definitely-not-a-command-xyz --junit \${step.junit}" }
      - name: clean exit without report
        external: { command: ["node", "-e", "process.exit(0)"] }
`);
    expect(results.map((r) => [r.id, r.name, r.status, r.message ?? ''])).toEqual([
      ['backend-unit-tests/pytest/tests-test-api-test-list', 'tests.test_api › test_list', 'passed', ''],
      ['backend-unit-tests/pytest/tests-test-api-test-create', 'tests.test_api › test_create', 'failed', 'assert 500 == 201 — Traceback & details'],
      ['backend-unit-tests/pytest/tests-test-api-test-skip', 'tests.test_api › test_skip', 'skipped', 'needs S3'],
      ['backend-unit-tests/pytest/plain-case', 'plain <case>', 'passed', ''],
      ['backend-unit-tests/after', 'after', 'skipped', 'requires backend-unit-tests/pytest, which failed'],
      ['backend-unit-tests/missing-tool', 'missing tool', 'failed', expect.stringMatching(/definitely-not-a-command-xyz/)],
      ['backend-unit-tests/clean-exit-without-report', 'clean exit without report', 'failed', expect.stringMatching(/^command exited with 0 and wrote no JUnit report at /)],
    ]);
    expect(results[1]).toMatchObject({ kind: 'external', category: 'Backend unit tests', durationMs: 500 });
  });
});

describe('cancellation', () => {
  it('aborts the check in flight and skips the rest as cancelled', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const { results } = await run(
      `
version: 1
name: t
categories:
  - name: C
    checks:
      - { name: slow, service: app, http: { path: /slow } }
      - { name: after, service: app, http: { path: /health } }
`,
      { signal: controller.signal },
    );
    expect(results.map((r) => [r.id, r.status, r.message])).toEqual([
      ['c/slow', 'skipped', 'run cancelled'],
      ['c/after', 'skipped', 'run cancelled'],
    ]);
  });
});
