import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../../../src/config/model.js';
import { buildReport } from '../../../src/report/build-report.js';
import { evaluateCriteria, rate, summarize, summarizeServices } from '../../../src/report/arithmetic.js';
import { mean, percentile } from '../../../src/stats.js';
import { check, RUN } from './helpers.js';

describe('rates and statistics', () => {
  it('divides safely', () => {
    expect(rate(0, 0)).toBe(0);
    expect(rate(1, 3)).toBeCloseTo(33.333, 3);
  });

  it('uses the nearest-rank percentile', () => {
    const values = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(values, 95)).toBe(19);
    expect(percentile(values, 50)).toBe(10);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 95)).toBeNull();
    expect(mean([])).toBeNull();
  });

  it('counts skipped as not passed, and excludes them from the error rate and response times', () => {
    const summary = summarize([
      check({ status: 'passed', latencyMs: 10 }),
      check({ status: 'failed', latencyMs: 30 }),
      check({ status: 'skipped', latencyMs: 1000 }),
      check({ status: 'skipped' }),
    ]);
    expect(summary).toMatchObject({ total: 4, passed: 1, failed: 1, skipped: 2, successRate: 25, errorRate: 50, avgResponseMs: 20 });
  });

  it('treats an empty run as 0 % with nothing measured', () => {
    const summary = summarize([]);
    expect(summary).toMatchObject({ total: 0, successRate: 0, errorRate: 0, avgResponseMs: null, p95ResponseMs: null });
  });
});

describe('success criteria', () => {
  it('needs strictly more than the success threshold and strictly less than the others', () => {
    const at = (successRate: number, avg: number | null, errorRate: number) =>
      evaluateCriteria({ total: 1, passed: 1, failed: 0, skipped: 0, successRate, errorRate, avgResponseMs: avg, p95ResponseMs: avg }, [], DEFAULT_THRESHOLDS).map((c) => c.met);
    expect(at(95, 499, 4.9)).toEqual([false, true, true]);
    expect(at(95.1, 500, 5)).toEqual([true, false, false]);
    expect(at(100, null, 0)).toEqual([true, true, true]);
  });

  it('adds per-category criteria, failing a category that did not run', () => {
    const criteria = evaluateCriteria(summarize([]), [{ name: 'Auth', total: 2, passed: 2, failed: 0, skipped: 0, successRate: 100 }], DEFAULT_THRESHOLDS, {
      Auth: 90,
      Missing: 50,
    });
    expect(criteria.slice(3).map((c) => [c.id, c.met])).toEqual([
      ['category:Auth', true],
      ['category:Missing', false],
    ]);
  });

  it('passes the report only when every criterion holds', () => {
    const green = buildReport({ run: RUN, thresholds: DEFAULT_THRESHOLDS, checks: [check({ status: 'passed', latencyMs: 5 })], services: [] });
    expect(green.status).toBe('PASSED');
    const red = buildReport({ run: RUN, thresholds: DEFAULT_THRESHOLDS, checks: [check({ status: 'passed', latencyMs: 600 })], services: [] });
    expect(red.status).toBe('FAILED');
  });
});

describe('service table', () => {
  it('derives up / down / degraded / unknown from health checks and diagnoses', () => {
    const checks = [
      check({ status: 'passed', service: 'a', health: true, latencyMs: 12 }),
      check({ status: 'failed', service: 'b', health: true, message: 'connect ECONNREFUSED' }),
      check({ status: 'passed', service: 'c', health: true, latencyMs: 3 }),
      check({ status: 'failed', service: 'c', message: 'expected status 200, got 500' }),
      check({ status: 'skipped', service: 'd', message: 'No accessible endpoints' }),
      check({ status: 'passed', service: 'e', health: true }),
    ];
    const rows = summarizeServices(checks, [
      { name: 'a', port: 1 },
      { name: 'b', port: 2 },
      { name: 'c' },
      { name: 'd' },
      { name: 'e', rootCause: { service: 'e', source: 'up', code: 'redis-auth', summary: 'NOAUTH', hint: 'set REDIS_PASSWORD' } },
      { name: 'f' },
    ]);
    expect(rows.map((r) => [r.name, r.status, r.issue, r.responseMs])).toEqual([
      ['a', 'up', undefined, 12],
      ['b', 'down', 'connect ECONNREFUSED', undefined],
      ['c', 'degraded', 'expected status 200, got 500', 3],
      ['d', 'unknown', 'not checked: No accessible endpoints', undefined],
      ['e', 'down', "its port answers, but not from this stack's container (another process holds it?): NOAUTH", undefined],
      ['f', 'unknown', 'no check targets this service', undefined],
    ]);
  });
});
