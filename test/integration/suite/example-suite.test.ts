/**
 * The example suite end to end through the real CLI, against the example stack brought up with
 * `stackctl up` (own project name, fresh secrets, free host ports, runs stored in a temp directory):
 *   1. every check passes, the report's four files are written, and a second run says UNCHANGED;
 *   2. the same stack with platform-services started without the redis password in its REDIS_URL
 *      (the seed's "REDIS_PASSWORD not available in containers"): the failures, the skips, and the
 *      root cause — redis refusing platform-services — traced from its container, with the
 *      comparison against the green run saying REGRESSION.
 * No secret value appears in any file either run writes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../src/report/model.js';
import { ROOT, exampleEnv, purge, stackctl, uniqueName } from '../engine/cli.js';

const green = uniqueName('it-suite-green');
const broken = uniqueName('it-suite-redis');
let dir: string;
let reports: string;
let greenEnv: Record<string, string>;
let brokenEnv: Record<string, string>;
const SECRET_NAMES = ['POSTGRES_PASSWORD', 'REDIS_PASSWORD', 'API_KEY', 'JWT_SECRET'] as const;

interface ReportFilesRecord {
  json: string;
  markdown: string;
  html: string;
  junit: string;
}

function latestReport(stdout: string): { report: Report; files: ReportFilesRecord } {
  const json = /^JSON: +(.+)$/m.exec(stdout)?.[1];
  if (!json) throw new Error(`no report path in:\n${stdout}`);
  const dirOf = path.dirname(json);
  const files = {
    json,
    markdown: path.join(dirOf, 'report.md'),
    html: path.join(dirOf, 'report.html'),
    junit: path.join(dirOf, 'junit.xml'),
  };
  return { report: JSON.parse(readFileSync(json, 'utf8')) as Report, files };
}

function expectNoSecrets(files: ReportFilesRecord, env: Record<string, string>, extra: string[] = []): void {
  for (const file of Object.values(files)) {
    const text = readFileSync(file, 'utf8');
    for (const name of SECRET_NAMES) expect(text.includes(env[name] as string), `${path.basename(file)} contains ${name}`).toBe(false);
    for (const value of extra) expect(text.includes(value), `${path.basename(file)} contains ${value}`).toBe(false);
  }
}

/**
 * The example stack.yaml with platform-services' REDIS_URL lacking the password (redis still requires
 * one), written outside the repository with absolute paths, a shorter readiness deadline for the
 * service that cannot become ready.
 */
async function stackWithoutRedisPassword(): Promise<string> {
  const text = readFileSync(path.join(ROOT, 'stack.yaml'), 'utf8');
  const start = text.indexOf('\n  platform-services:\n');
  const end = text.indexOf('\n  airtable-gateway:\n');
  expect(start).toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  const block = text
    .slice(start, end)
    .replace('REDIS_URL: redis://:${REDIS_PASSWORD}@redis:6379/0', 'REDIS_URL: redis://redis:6379/0')
    .replace(/timeout: 60s/, 'timeout: 15s');
  expect(block).toContain('REDIS_URL: redis://redis:6379/0');
  const variant = (text.slice(0, start) + block + text.slice(end))
    .replace(/^(\s+build: )(images\/\S+)$/gm, (_, head: string, rel: string) => `${head}${path.join(ROOT, rel)}`)
    .replace(/context: services,/g, `context: ${path.join(ROOT, 'services')},`)
    .replace(/^suite: (\S+)$/m, (_, rel: string) => `suite: ${path.join(ROOT, rel)}`)
    .replace(/^env_file: \.env$/m, `env_file: ${path.join(dir, 'none.env')}`);
  const file = path.join(dir, 'stack.yaml');
  await writeFile(file, variant);
  await writeFile(path.join(dir, 'none.env'), '');
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'stackctl-it-suite-'));
  reports = path.join(dir, 'reports');
  greenEnv = await exampleEnv(green);
  brokenEnv = await exampleEnv(broken);
});

afterAll(async () => {
  await purge(green);
  await purge(broken);
  for (const project of [green, broken]) await rm(path.join(ROOT, '.stackctl', 'logs', `${project}.log`), { force: true });
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the example suite on the example stack', () => {
  let first: { report: Report; files: ReportFilesRecord };

  it('up brings the stack to ready', { timeout: 900_000 }, async () => {
    const run = await stackctl(['up', '--progress', 'plain'], greenEnv);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
  });

  it('every check passes; the summary ends with the report paths', { timeout: 300_000 }, async () => {
    const run = await stackctl(['test', '--reports-dir', reports], greenEnv);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('✔ PASSED — every success criterion holds');
    expect(run.stdout).toContain('No baseline: this run is the first, and the baseline for the next.');
    const last = run.stdout.trimEnd().split('\n').slice(-4).map((line) => line.split(/:\s+/)[0]);
    expect(last).toEqual(['Markdown', 'HTML', 'JUnit', 'JSON']);
    first = latestReport(run.stdout);
    const { report } = first;
    expect(report.summary.total).toBeGreaterThanOrEqual(35);
    expect(report.checks.filter((c) => c.status !== 'passed').map((c) => `${c.id}: ${c.message ?? ''}`)).toEqual([]);
    expect(report.categories.map((c) => c.name)).toEqual([
      'Service Health',
      'Authentication Flow',
      'Airtable Operations',
      'Workflows, Files and SAGA',
      'Frontend Integration',
      'Performance',
    ]);
    expect(report.services.map((s) => `${s.name}:${s.status}`)).toEqual(report.services.map((s) => `${s.name}:up`));
    expect(report.services.find((s) => s.name === 'api-gateway')?.port).toBe(Number(greenEnv.API_GATEWAY_PORT));
    expect(report.run.stack.name).toBe(green);
    for (const file of Object.values(first.files)) expect(existsSync(file)).toBe(true);
    expectNoSecrets(first.files, greenEnv);
    // Stderr showed a line per check as it ran.
    expect(run.stderr).toMatch(/✔ Frontend Integration › Auth Flow \(browser\) \d+ ms/);
  });

  it('a second run compares with the first and says UNCHANGED', { timeout: 300_000 }, async () => {
    const run = await stackctl(['test', '--reports-dir', reports], greenEnv);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const second = latestReport(run.stdout);
    const comparison = second.report.comparison!;
    expect(comparison.baseline.id).toBe(first.report.run.id);
    // Everything but response times must be exactly as before. Response times on a shared 2-core
    // runner can move past the report's tolerance between two runs (a p95 of 459 ms then 120 ms
    // under a load spike); the verdict then says so, and only then is it not UNCHANGED.
    const moved = comparison.metrics.filter((m) => m.status !== 'same' && m.status !== 'n/a');
    expect(moved.filter((m) => !m.id.endsWith('_response_ms')).map((m) => m.id)).toEqual([]);
    expect([comparison.newlyFailing, comparison.newlyPassing, comparison.added, comparison.removed]).toEqual([[], [], [], []]);
    const expected = moved.length === 0 ? 'UNCHANGED' : moved.some((m) => m.status === 'regression') ? 'REGRESSION' : 'IMPROVEMENT';
    expect(comparison.verdict, JSON.stringify(moved)).toBe(expected);
    expect(run.stdout).toContain(`Against baseline ${first.report.run.id}: ${expected}`);
    if (expected === 'UNCHANGED') expect(readFileSync(second.files.markdown, 'utf8')).toContain('## 📈 Comparison with baseline — ➖ UNCHANGED');
    const history = await stackctl(['report', 'history', '--reports-dir', reports, '--json'], greenEnv);
    expect(history.exitCode, history.stderr).toBe(0);
    const rows = (JSON.parse(history.stdout) as { runs: Array<{ id: string; verdict: string | null }> }).runs;
    expect(rows.map((r) => r.verdict)).toEqual([null, expected]);
  });

  it('down removes the stack', { timeout: 300_000 }, async () => {
    const run = await stackctl(['down', '-v'], greenEnv);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
  });

  it('without the redis password in platform-services: failures, skips, and the root cause', { timeout: 900_000 }, async () => {
    const file = await stackWithoutRedisPassword();
    const up = await stackctl(['up', '-f', file, '--progress', 'plain'], brokenEnv);
    expect(up.exitCode, up.stdout + up.stderr).toBe(1);

    const run = await stackctl(['test', '-f', file, '--reports-dir', reports, '--baseline', first.report.run.id, '--fail-on-regression'], brokenEnv);
    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toContain('✖ FAILED — success criteria not met');
    const { report, files } = latestReport(run.stdout);
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));

    // The failure itself: platform-services answers, but is not ready — redis refuses it.
    expect(byId['service-health/platform-services']).toMatchObject({
      status: 'failed',
      response: { status: 503 },
      rootCause: { service: 'platform-services', source: 'runtime', code: 'redis-auth' },
    });
    // Those up did not start because of it carry the same root cause.
    for (const service of ['saga-orchestrator', 'api-gateway', 'frontend']) {
      expect(byId[`service-health/${service}`]?.status, service).toBe('failed');
      expect(byId[`service-health/${service}`]?.rootCause, service).toMatchObject({ service, blockedBy: 'platform-services', code: 'redis-auth' });
    }
    // What does not depend on it still passes.
    for (const service of ['postgres', 'redis', 'airtable-gateway', 'mcp-server', 'llm-orchestrator', 'automation-services']) {
      expect(byId[`service-health/${service}`]?.status, service).toBe('passed');
    }
    // The skips, with the reason.
    expect(byId['authentication-flow/register']).toMatchObject({ status: 'skipped', message: 'No accessible endpoints (requires service-health/api-gateway, which failed)' });
    expect(byId['authentication-flow/jwt-validation']).toMatchObject({ status: 'skipped', message: 'No session tokens (requires authentication-flow/login, which was skipped)' });
    expect(report.summary.skipped).toBeGreaterThan(10);
    expect(report.services.find((s) => s.name === 'platform-services')).toMatchObject({ status: 'down' });
    expect(report.services.find((s) => s.name === 'api-gateway')?.issue).toMatch(/^not started: blocked by platform-services \(/);

    // The comparison with the green run.
    expect(report.comparison).toMatchObject({ verdict: 'REGRESSION', baseline: { id: first.report.run.id } });
    expect(report.comparison?.newlyFailing.map((c) => c.id)).toContain('service-health/platform-services');
    expect(report.comparison?.configChanged).toBe(true);

    const markdown = readFileSync(files.markdown, 'utf8');
    expect(markdown).toContain('## 📈 Comparison with baseline — ❌ REGRESSION');
    expect(markdown).toMatch(/### Root causes\n\n1\. \*\*platform-services\*\* — .*\(`redis-auth`, container inspected by `stackctl test`\)/);
    expect(markdown).toContain('   - Not started because of it: **api-gateway**, **frontend**, **saga-orchestrator**');
    expect(markdown).toContain('- SKIPPED – No session tokens (requires authentication-flow/login, which was skipped): JWT Validation, Session Management');
    expect(run.stdout).toMatch(/root cause: platform-services: /);
    expectNoSecrets(files, brokenEnv);
  });
});
