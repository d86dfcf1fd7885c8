/**
 * The report's arithmetic and verdict on the recorded result set of the seed post-mortem
 * (2025-08-07 18:19:42): 35 checks, 6 passed, 12 failed, 17 skipped → 17.1 %, REGRESSION against 21.6 %.
 */
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../src/report/build-report.js';
import { compareReports } from '../../../src/report/compare.js';
import { renderMarkdown } from '../../../src/report/render-markdown.js';
import { renderTerminal } from '../../../src/report/render-terminal.js';
import { loadBaselineFile } from '../../../src/report/store.js';

import { FIXTURES as fixtures, seedInput } from './helpers.js';

describe('the seed report, reproduced from its recorded results', () => {
  const report = buildReport(seedInput());

  it('counts 35 checks: 6 passed, 12 failed, 17 skipped → 17.1 %', () => {
    expect(report.summary).toMatchObject({ total: 35, passed: 6, failed: 12, skipped: 17 });
    expect(report.summary.successRate.toFixed(1)).toBe('17.1');
    expect(report.summary.errorRate.toFixed(1)).toBe('66.7');
    expect(report.summary.avgResponseMs).toBe(5026);
    expect(report.status).toBe('FAILED');
  });

  it('breaks down by category as the seed did: 20 % / 0 % / 16.7 % / 33.3 %', () => {
    const rates = Object.fromEntries(report.categories.map((c) => [c.name, c.successRate.toFixed(1)]));
    expect(rates).toEqual({
      'Service Health': '20.0',
      'Authentication Flow': '0.0',
      'Airtable Operations': '16.7',
      'Workflows, Files and SAGA': '11.1',
      'Frontend Integration': '33.3',
      Performance: '33.3',
    });
  });

  it('marks eight services down with their issue, and gives the two that answer their response time', () => {
    const byName = Object.fromEntries(report.services.map((s) => [s.name, s]));
    expect(report.services.filter((s) => s.status === 'down')).toHaveLength(8);
    expect(byName['airtable-gateway']).toMatchObject({ port: 8002, status: 'down', issue: "ModuleNotFoundError: No module named 'config'" });
    expect(byName['api-gateway']).toMatchObject({ port: 8000, status: 'up', responseMs: 5095 });
    // The frontend answered its health check but served 500s to the auth and data flows.
    expect(byName.frontend).toMatchObject({ port: 3000, status: 'degraded', responseMs: 316, issue: 'expected status 200, got 500: Next.js routing error' });
  });

  it('fails all three success criteria with the seed figures', () => {
    expect(report.criteria.map((c) => [c.id, c.actual === null ? null : Number(c.actual.toFixed(1)), c.met])).toEqual([
      ['success_rate', 17.1, false],
      ['avg_response_ms', 5026, false],
      ['error_rate', 66.7, false],
    ]);
  });

  it('is a REGRESSION against the 21.6 % baseline, -4.5 pp, other metrics unknown', async () => {
    const baseline = await loadBaselineFile(`${fixtures}seed-baseline-21.6.json`);
    const comparison = compareReports(report, baseline);
    expect(comparison.verdict).toBe('REGRESSION');
    const rate = comparison.metrics.find((m) => m.id === 'success_rate');
    expect(rate).toMatchObject({ previous: 21.6, status: 'regression' });
    expect(rate?.change?.toFixed(1)).toBe('-4.5');
    expect(comparison.metrics.find((m) => m.id === 'total')).toMatchObject({ previous: 35, current: 35, change: 0, status: 'same' });
    expect(comparison.metrics.find((m) => m.id === 'category:Service Health')).toMatchObject({ previous: null, status: 'n/a' });
    expect(comparison.newlyFailing).toEqual([]);
  });

  it('renders the seed figures in the Markdown report', async () => {
    const baseline = await loadBaselineFile(`${fixtures}seed-baseline-21.6.json`);
    const markdown = renderMarkdown({ ...report, comparison: compareReports(report, baseline) });
    expect(markdown).toContain('**Previous Baseline:** 21.6% success rate (`before the infrastructure fixes`)');
    expect(markdown).toContain('**Current Results:** 17.1% success rate');
    expect(markdown).toContain('**Status:** ❌ FAILED — success criteria not met · ❌ REGRESSION against before the infrastructure fixes');
    expect(markdown).toContain('| **Overall success rate** | 21.6% | 17.1% | -4.5 pp | ❌ REGRESSION |');
    expect(markdown).toContain('| **Total checks** | 35 | 35 | 0 | ➖ SAME |');
    expect(markdown).toContain('| **Service Health** | unknown | 20.0% | N/A | N/A |');
    expect(markdown).toContain('- **Test Duration:** 190.11 s');
    expect(markdown).toContain('| Service Health | 10 | 2 | 8 | 0 | ❌ 20.0% |');
    expect(markdown).toContain('| Authentication Flow | 4 | 0 | 0 | 4 | ⏭️ 0.0% |');
    expect(markdown).toContain('| Airtable Operations | 6 | 1 | 0 | 5 | ❌ 16.7% |');
    expect(markdown).toContain('| Frontend Integration | 3 | 1 | 2 | 0 | ❌ 33.3% |');
    expect(markdown).toContain("| airtable-gateway | 8002 | ❌ DOWN | ModuleNotFoundError: No module named 'config' | — |");
    expect(markdown).toContain('| api-gateway | 8000 | ✅ UP | — | 5095 ms |');
    expect(markdown).toContain('- SKIPPED – No session tokens: JWT Validation, Session Management');
    expect(markdown).toContain('| Average response time | < 500 ms | 5026 ms | ❌ no |');
    expect(markdown).toContain('| Error rate | < 5% | 66.7% | ❌ no |');
    expect(markdown).toContain('| Overall success rate | > 95% | 17.1% | ❌ no |');
  });

  it('prints a terminal summary that ends with the report paths', () => {
    const files = { dir: '/r', json: '/r/report.json', markdown: '/r/report.md', html: '/r/report.html', junit: '/r/junit.xml' };
    const text = renderTerminal(report, { files });
    expect(text).toContain('35 checks in 190.11 s: 6 passed, 12 failed, 17 skipped — success rate 17.1%');
    expect(text.trimEnd().split('\n').slice(-4)).toEqual([
      'Markdown: /r/report.md',
      'HTML:     /r/report.html',
      'JUnit:    /r/junit.xml',
      'JSON:     /r/report.json',
    ]);
  });
});
