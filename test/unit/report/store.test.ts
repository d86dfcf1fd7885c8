import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../../src/report/build-report.js';
import { publishReport } from '../../../src/report/publish.js';
import { findRun, listRuns, loadBaselineFile, loadReport, resolveReportRef, runIdFor, uniqueRunId } from '../../../src/report/store.js';
import { Redactor } from '../../../src/secrets.js';
import { FIXTURES, seedInput } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackctl-store-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function seedAt(iso: string, passMore = false) {
  const input = seedInput();
  input.run = { ...input.run, startedAt: iso, id: runIdFor(new Date(iso)) };
  if (passMore) for (const check of input.checks) if (check.category === 'Authentication Flow') check.status = 'passed';
  return buildReport(input);
}

describe('run ids', () => {
  it('are sortable timestamps, made unique with a suffix', async () => {
    const date = new Date('2025-08-07T18:19:42.123Z');
    expect(runIdFor(date)).toBe('2025-08-07T18-19-42Z');
    await mkdir(join(dir, 'ids', '2025-08-07T18-19-42Z'), { recursive: true });
    expect(uniqueRunId(join(dir, 'ids'), date)).toBe('2025-08-07T18-19-42Z-2');
  });
});

describe('stored runs', () => {
  const reports = () => join(dir, 'reports');

  it('stores runs, compares each with the previous one, and finds them again', async () => {
    const redactor = new Redactor();
    const a = await publishReport(seedAt('2025-08-07T18:19:42.000Z'), { reportsDir: reports(), cwd: dir, redactor });
    expect(a.report.comparison).toBeUndefined();
    const b = await publishReport(seedAt('2025-08-08T09:00:00.000Z', true), { reportsDir: reports(), cwd: dir, redactor });
    expect(b.report.comparison).toMatchObject({ verdict: 'IMPROVEMENT', baseline: { id: '2025-08-07T18-19-42Z' } });
    expect(b.report.comparison?.newlyPassing).toHaveLength(4);
    const c = await publishReport(seedAt('2025-08-09T09:00:00.000Z'), { reportsDir: reports(), cwd: dir, redactor, baseline: '2025-08-07' });
    expect(c.report.comparison).toMatchObject({ verdict: 'UNCHANGED', baseline: { id: '2025-08-07T18-19-42Z' } });

    await mkdir(join(reports(), 'garbage'), { recursive: true });
    await writeFile(join(reports(), 'garbage', 'report.json'), '{"schema": "something else"}');
    const listing = await listRuns(reports());
    expect(listing.runs.map((r) => r.id)).toEqual(['2025-08-07T18-19-42Z', '2025-08-08T09-00-00Z', '2025-08-09T09-00-00Z']);
    expect(listing.unreadable).toEqual([{ dir: join(reports(), 'garbage'), reason: expect.stringMatching(/^not a stackctl report at schema/) }]);
    expect((await listRuns(reports(), 'another-stack')).runs).toEqual([]);

    expect(findRun(listing.runs, 'latest').id).toBe('2025-08-09T09-00-00Z');
    expect(findRun(listing.runs, 'previous').id).toBe('2025-08-08T09-00-00Z');
    expect(() => findRun(listing.runs, '2025-08')).toThrow('"2025-08" matches 3 runs');
    expect(() => findRun(listing.runs, 'nope')).toThrow('no stored run "nope"');
    expect(await resolveReportRef(join(reports(), '2025-08-08T09-00-00Z'), reports(), dir)).toBe(join(reports(), '2025-08-08T09-00-00Z', 'report.json'));
    expect((await loadReport(c.files.json)).comparison?.verdict).toBe('UNCHANGED');
  });

  it('reads hand-written baselines and rejects what is not a report, with file:line', async () => {
    const baseline = await loadBaselineFile(join(FIXTURES, 'seed-baseline-21.6.json'));
    expect(baseline).toMatchObject({ successRate: 21.6, total: 35, checks: null, ref: { id: 'before the infrastructure fixes' } });
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{\n  "schema": "stackctl.report",\n  oops\n}');
    await expect(loadBaselineFile(bad)).rejects.toMatchObject({ shortMessage: expect.stringMatching(new RegExp(`^${bad}:3:3: not valid JSON`)) });
    const wrong = join(dir, 'wrong.json');
    await writeFile(wrong, JSON.stringify({ schema: 'stackctl.baseline', schemaVersion: 1, successRate: 140 }));
    await expect(loadBaselineFile(wrong)).rejects.toThrow('not a stackctl report at successRate: Number must be less than or equal to 100');
    await expect(loadBaselineFile(join(dir, 'missing.json'))).rejects.toThrow(/cannot read/);
  });
});

describe('two runs finishing in the same second', () => {
  it('get distinct run directories: a taken id gets a suffix', async () => {
    const reports = join(dir, 'race');
    const a = seedAt('2025-09-01T10:00:00.000Z');
    // Another run of the same second already stored its report under the id.
    await mkdir(join(reports, a.run.id), { recursive: true });
    await writeFile(join(reports, a.run.id, 'report.json'), JSON.stringify(a));
    const published = await publishReport(a, { reportsDir: reports, cwd: dir, redactor: new Redactor() });
    expect(published.report.run.id).toBe('2025-09-01T10-00-00Z-2');
    expect(published.files.dir).toBe(join(reports, '2025-09-01T10-00-00Z-2'));
    expect((await loadReport(published.files.json)).run.id).toBe('2025-09-01T10-00-00Z-2');
  });
});
