import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../src/report/build-report.js';
import { renderHtml } from '../../../src/report/render-html.js';
import { renderJson } from '../../../src/report/render-json.js';
import { renderJunit } from '../../../src/report/render-junit.js';
import { renderMarkdown } from '../../../src/report/render-markdown.js';
import { reportSchema } from '../../../src/report/schema.js';
import { parseJunit, parseXml } from '../../../src/suite/junit-xml.js';
import { seedInput } from './helpers.js';

const report = buildReport(seedInput());

describe('renderers', () => {
  it('JSON: the report value itself, valid against the versioned schema', () => {
    const parsed = JSON.parse(renderJson(report)) as unknown;
    expect(reportSchema.safeParse(parsed).success).toBe(true);
    expect(parsed).toMatchObject({ schema: 'stackctl.report', schemaVersion: 1, summary: { total: 35 } });
  });

  it('JUnit: well-formed, one suite per category, failures and skips as JUnit has them', () => {
    const xml = renderJunit(report);
    const root = parseXml(xml).children[0];
    expect(root?.attributes).toMatchObject({ tests: '35', failures: '12', skipped: '17' });
    expect(root?.children.map((s) => [s.attributes.name, s.attributes.tests])).toEqual([
      ['Service Health', '10'],
      ['Authentication Flow', '4'],
      ['Airtable Operations', '6'],
      ['Workflows, Files and SAGA', '9'],
      ['Frontend Integration', '3'],
      ['Performance', '3'],
    ]);
    const cases = parseJunit(xml);
    expect(cases.filter((c) => c.status === 'failed')).toHaveLength(12);
    expect(cases.find((c) => c.name === 'JWT Validation')).toMatchObject({ status: 'skipped', message: 'No session tokens' });
    expect(xml).toContain('root cause: airtable-gateway: ModuleNotFoundError: No module named &apos;config&apos; [module-not-found, from up]');
  });

  it('HTML: one offline page — no script, no external resource — with both charts', () => {
    const html = renderHtml(report, [{ id: 'r0', startedAt: '2025-08-06T00:00:00.000Z', successRate: 21.6 }]);
    expect(html).not.toMatch(/<script|<link|src=|url\(|@import/i);
    // Status words without emoji (no emoji font needed); the Markdown report keeps them.
    expect(html).not.toMatch(/\p{Extended_Pictographic}/u);
    expect(html).toMatch(/<td>FAIL<\/td>/);
    expect(renderMarkdown(report)).toMatch(/\p{Extended_Pictographic}/u);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('Success rate per category (threshold 95%)');
    expect(html).toContain('<title id="history-chart-title">Overall success rate over the last 2 runs</title>');
    expect(html).toContain('<td>airtable-gateway</td><td class="num">8002</td><td>DOWN</td><td>ModuleNotFoundError: No module named &apos;config&apos;</td>');
  });

  it('escapes what checks say, in every format', () => {
    const input = seedInput();
    const check = input.checks.find((c) => c.status === 'failed');
    if (check) check.message = 'got <script>alert(1)</script> | pipe & "quotes"';
    const nasty = buildReport(input);
    expect(renderHtml(nasty)).not.toContain('<script>');
    expect(renderJunit(nasty)).toContain('got &lt;script&gt;alert(1)&lt;/script&gt; | pipe &amp; &quot;quotes&quot;');
    const markdown = renderMarkdown(nasty);
    expect(markdown).not.toContain('<script>');
    expect(markdown).toContain('got &lt;script&gt;alert(1)&lt;/script&gt; | pipe & "quotes"');
    expect(() => parseXml(renderJunit(nasty))).not.toThrow();
  });

  it('renders the same text for the same report', () => {
    expect(renderMarkdown(buildReport(seedInput()))).toBe(renderMarkdown(buildReport(seedInput())));
  });
});

describe('metric changes', () => {
  it('are computed from the figures as displayed, so each row adds up', async () => {
    const { metricChange } = await import('../../../src/report/format.js');
    const row = (unit: '%' | 'ms' | 'count', previous: number, current: number) =>
      metricChange({ id: 'x', label: 'x', unit, previous, current, change: current - previous, status: 'same' });
    expect(row('ms', 113.6, 107.2)).toBe('-7 ms');
    expect(row('ms', 4.25, 4.04)).toBe('-0.3 ms'); // shown as 4.3 ms → 4.0 ms
    expect(row('%', 21.6, 100 * (6 / 35))).toBe('-4.5 pp');
    expect(row('%', 100 / 3, 100 / 3)).toBe('0.0 pp');
    expect(row('count', 37, 35)).toBe('-2');
  });
});
