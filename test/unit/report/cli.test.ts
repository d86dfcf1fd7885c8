/** `stackctl report show|compare|history` in-process, on stored runs built from the seed's results. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../../src/report/build-report.js';
import { publishReport } from '../../../src/report/publish.js';
import { runIdFor } from '../../../src/report/store.js';
import { Redactor } from '../../../src/secrets.js';
import { runCli } from '../../support/cli.js';
import { FIXTURES, seedInput } from './helpers.js';

let dir: string;
let reports: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackctl-report-cli-'));
  reports = join(dir, 'reports');
  for (const [iso, fixed] of [
    ['2025-08-07T18:19:42.000Z', false],
    ['2025-08-08T09:00:00.000Z', true],
  ] as const) {
    const input = seedInput();
    input.run = { ...input.run, startedAt: iso, id: runIdFor(new Date(iso)) };
    if (fixed) for (const check of input.checks) if (check.category === 'Authentication Flow') check.status = 'passed';
    await publishReport(buildReport(input), { reportsDir: reports, cwd: dir, redactor: new Redactor() });
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('stackctl report', () => {
  it('history lists the runs, oldest first, with verdicts', async () => {
    const run = await runCli(['report', 'history', '--reports-dir', reports], { cwd: dir, env: { NO_COLOR: '1' } });
    expect(run.exitCode, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^Run +Started +Passed +Failed +Skipped +Success +Avg +Criteria +Verdict +Commit$/);
    expect(lines[1]).toMatch(/^2025-08-07T18-19-42Z +2025-08-07 18:19:42 UTC +6\/35 +12 +17 +17\.1% +5026 ms +FAILED +— +3c1d2e4f5a$/);
    expect(lines[2]).toMatch(/^2025-08-08T09-00-00Z .* 10\/35 .* 28\.6% .* IMPROVEMENT /);
    const json = await runCli(['report', 'history', '--reports-dir', reports, '--json', '--limit', '1'], { cwd: dir });
    expect((JSON.parse(json.stdout) as { runs: Array<{ id: string }> }).runs.map((r) => r.id)).toEqual(['2025-08-08T09-00-00Z']);
  });

  it('show prints the summary of the latest run, or any rendering of a named one', async () => {
    const text = await runCli(['report', 'show', '--reports-dir', reports], { cwd: dir, env: { NO_COLOR: '1' } });
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toContain('run 2025-08-08T09-00-00Z');
    expect(text.stdout).toContain('Against baseline 2025-08-07T18-19-42Z: IMPROVEMENT');
    const md = await runCli(['report', 'show', '2025-08-07', '--format', 'md', '--reports-dir', reports], { cwd: dir });
    expect(md.stdout).toContain('**Current Results:** 17.1% success rate');
    const junit = await runCli(['report', 'show', 'previous', '--format', 'junit', '--reports-dir', reports], { cwd: dir });
    expect(junit.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="stackctl pyairtable: pyairtable" tests="35" failures="12"/);
    const missing = await runCli(['report', 'show', 'nope', '--reports-dir', reports], { cwd: dir });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('stackctl: no stored run "nope"');
  });

  it('compare judges B against A, and --fail-on-regression exits 1 on a regression', async () => {
    const improvement = await runCli(['report', 'compare', 'previous', 'latest', '--reports-dir', reports], { cwd: dir, env: { NO_COLOR: '1' } });
    expect(improvement.exitCode, improvement.stderr).toBe(0);
    expect(improvement.stdout).toContain('Newly passing (4):');
    expect(improvement.stdout.trimEnd().endsWith('Verdict: IMPROVEMENT')).toBe(true);
    const seed = await runCli(['report', 'compare', join(FIXTURES, 'seed-baseline-21.6.json'), '2025-08-07', '--reports-dir', reports, '--fail-on-regression'], { cwd: dir, env: { NO_COLOR: '1' } });
    expect(seed.exitCode).toBe(1);
    expect(seed.stdout).toMatch(/Overall success rate +21\.6% +17\.1% +-4\.5 pp +REGRESSION/);
    expect(seed.stdout.trimEnd().endsWith('Verdict: REGRESSION')).toBe(true);
    const json = await runCli(['report', 'compare', 'latest', 'previous', '--json', '--reports-dir', reports], { cwd: dir });
    expect((JSON.parse(json.stdout) as { comparison: { verdict: string } }).comparison.verdict).toBe('REGRESSION');
  });
});
