import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../../../src/config/model.js';
import { buildReport } from '../../../src/report/build-report.js';
import { baselineFromReport, compareReports } from '../../../src/report/compare.js';
import type { CheckResult } from '../../../src/report/model.js';
import { RUN } from './helpers.js';

function make(statuses: Record<string, CheckResult['status']>, latency = 20) {
  const checks: CheckResult[] = Object.entries(statuses).map(([id, status]) => ({
    id,
    name: id,
    category: id.split('/')[0] ?? 'x',
    kind: 'http',
    status,
    startedAt: RUN.startedAt,
    durationMs: latency,
    latencyMs: latency,
    ...(status === 'failed' ? { message: `${id} broke` } : {}),
  }));
  return buildReport({ run: RUN, thresholds: DEFAULT_THRESHOLDS, checks, services: [] });
}

describe('comparison and verdict', () => {
  const base = make({ 'a/1': 'passed', 'a/2': 'passed', 'b/1': 'failed', 'b/2': 'skipped' });

  it('says UNCHANGED for the same outcomes, whatever the latency noise within tolerance', () => {
    const again = make({ 'a/1': 'passed', 'a/2': 'passed', 'b/1': 'failed', 'b/2': 'skipped' }, 90);
    const comparison = compareReports(again, baselineFromReport(base, '/x/report.json'));
    expect(comparison.verdict).toBe('UNCHANGED');
    expect(comparison.metrics.find((m) => m.id === 'avg_response_ms')).toMatchObject({ previous: 20, current: 90, change: 70, status: 'same' });
    expect(comparison.configChanged).toBe(false);
    expect(comparison.suiteChanged).toBe(false);
  });

  it('says REGRESSION and lists a check that stopped passing (even when another started)', () => {
    const now = make({ 'a/1': 'passed', 'a/2': 'skipped', 'b/1': 'passed', 'b/2': 'skipped' });
    const comparison = compareReports(now, baselineFromReport(base, '/x/report.json'));
    expect(comparison.verdict).toBe('REGRESSION');
    expect(comparison.newlyFailing).toEqual([{ id: 'a/2', name: 'a/2', category: 'a', previous: 'passed', current: 'skipped' }]);
    expect(comparison.newlyPassing.map((c) => c.id)).toEqual(['b/1']);
    expect(comparison.metrics.find((m) => m.id === 'success_rate')?.status).toBe('same');
  });

  it('says IMPROVEMENT when more checks pass and none stopped', () => {
    const now = make({ 'a/1': 'passed', 'a/2': 'passed', 'b/1': 'passed', 'b/2': 'skipped' });
    const comparison = compareReports(now, baselineFromReport(base, '/x/report.json'));
    expect(comparison.verdict).toBe('IMPROVEMENT');
    expect(comparison.metrics.find((m) => m.id === 'success_rate')).toMatchObject({ previous: 50, current: 75, change: 25, status: 'improvement' });
    const errorRate = comparison.metrics.find((m) => m.id === 'error_rate');
    expect(errorRate).toMatchObject({ current: 0, status: 'improvement' });
    expect(errorRate?.previous).toBeCloseTo(33.33, 2);
  });

  it('flags a slowdown beyond 50 % and 200 ms as a regression', () => {
    const slow = make({ 'a/1': 'passed', 'a/2': 'passed', 'b/1': 'failed', 'b/2': 'skipped' }, 400);
    const comparison = compareReports(slow, baselineFromReport(base, '/x/report.json'));
    expect(comparison.metrics.find((m) => m.id === 'avg_response_ms')?.status).toBe('regression');
    expect(comparison.verdict).toBe('REGRESSION');
    // The boundary: 200 ms more than a 20 ms baseline is noise, 201 ms more is not.
    const statusAt = (latency: number) =>
      compareReports(make({ 'a/1': 'passed', 'a/2': 'passed', 'b/1': 'failed', 'b/2': 'skipped' }, latency), baselineFromReport(base, '/x/report.json')).metrics.find((m) => m.id === 'avg_response_ms')?.status;
    expect(statusAt(220)).toBe('same');
    expect(statusAt(221)).toBe('regression');
  });

  it('lists added and removed checks, and notes changed config and suite', () => {
    const now = make({ 'a/1': 'passed', 'a/2': 'passed', 'b/1': 'failed', 'c/1': 'passed' });
    now.run = { ...now.run, stack: { ...now.run.stack, configHash: 'c'.repeat(64) }, suite: { ...now.run.suite, hash: 'd'.repeat(64) } };
    const comparison = compareReports(now, baselineFromReport(base, '/x/report.json'));
    expect(comparison.added.map((c) => c.id)).toEqual(['c/1']);
    expect(comparison.removed).toEqual([{ id: 'b/2', name: 'b/2', category: 'b', previous: 'skipped', current: null }]);
    expect(comparison.configChanged).toBe(true);
    expect(comparison.suiteChanged).toBe(true);
    expect(comparison.metrics.find((m) => m.id === 'category:c')).toMatchObject({ previous: null, current: 100, status: 'n/a' });
  });
});

describe('the terminal summary of a comparison', () => {
  it('names the first eight changed checks and counts the rest (report.md lists them all)', async () => {
    const { renderTerminal } = await import('../../../src/report/render-terminal.js');
    const ids = Array.from({ length: 12 }, (_, i) => `a/${i + 1}`);
    const base = make(Object.fromEntries(ids.map((id) => [id, 'failed' as const])));
    const now = make(Object.fromEntries(ids.map((id) => [id, 'passed' as const])));
    const text = renderTerminal({ ...now, comparison: compareReports(now, baselineFromReport(base, '/x/report.json')) });
    expect(text).toContain('newly passing: a/1, a/2, a/3, a/4, a/5, a/6, a/7, a/8 and 4 more (all in report.md)');
  });
});
