/**
 * Three ephemeral copies of the example stack at once on one engine (the "done when"):
 * thirty services ready, no name or host-port collision (with each other nor with the fixed ports of
 * a developer's stack), each copy's 42-check suite green against its own engine-chosen ports, and
 * `down` of one copy leaving the other two running and ready.
 *
 * Lean on purpose: the copies start detached (one CLI each, all at once), every suite runs once, and
 * the two survivors are checked with one `ps` each before they go.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exampleSecrets, purge, stackctl, type CliResult } from '../engine/cli.js';
import { copyObjects, jsonLines } from './helpers.js';

const SERVICES = 10;
const env = exampleSecrets();
const reports = mkdtempSync(path.join(tmpdir(), 'stackctl-eph-reports-'));
let runs: CliResult[] = [];
let copies: Array<{ stack: string; endpoints: { services: Array<{ service: string; ports: Record<string, number>; url?: string }> } }> = [];

afterAll(async () => {
  for (const copy of copies) {
    await stackctl(['down', '-p', copy.stack], {});
    await purge(copy.stack);
  }
  rmSync(reports, { recursive: true, force: true });
});

describe('three ephemeral copies of the example stack side by side', () => {
  it('all thirty services come up ready, under three names and thirty distinct host ports', { timeout: 900_000 }, async () => {
    const started = performance.now();
    runs = await Promise.all([1, 2, 3].map(() => stackctl(['up', '--ephemeral', '--detach', '--ttl', '20m', '--json'], env)));
    console.info(`three copies in parallel: all ready after ${Math.round(performance.now() - started)} ms`);
    for (const run of runs) expect(run.exitCode, run.stdout.slice(-3000) + run.stderr).toBe(0);
    copies = runs.map((run) => jsonLines(run.stdout, 'up.ephemeral')[0] as (typeof copies)[number]);
    const results = runs.map((run) => jsonLines(run.stdout, 'up.result')[0] as { ok: boolean; services: Array<{ state: string }> });
    expect(results.flatMap((result) => result.services.map((service) => service.state)).filter((state) => state === 'ready')).toHaveLength(3 * SERVICES);
    const names = copies.map((copy) => copy.stack);
    expect(new Set(names).size).toBe(3);
    for (const name of names) expect(name).toMatch(/^pyairtable-[0-9a-f]{6}$/);
    const ports = copies.flatMap((copy) => copy.endpoints.services.flatMap((service) => Object.values(service.ports)));
    expect(ports).toHaveLength(3 * SERVICES);
    expect(new Set(ports).size).toBe(ports.length);
    // None took a developer's fixed port (stack.yaml's defaults and .env: 8000-8008, 3000).
    for (const fixed of [3000, 8000, 8001, 8002, 8003, 8006, 8007, 8008]) expect(ports).not.toContain(fixed);
  });

  it("each copy's suite is green against its own ports", { timeout: 600_000 }, async () => {
    expect(copies).toHaveLength(3);
    // One after the other: the suite's latency criteria measure the copy, not three suites fighting
    // over two cores (the copies themselves all run at once).
    const suites: CliResult[] = [];
    for (const copy of copies) suites.push(await stackctl(['test', '-p', copy.stack, '--json', '--reports-dir', path.join(reports, copy.stack)], env));
    for (const [index, suite] of suites.entries()) {
      expect(suite.stdout.startsWith('{'), suite.stderr.slice(-3000)).toBe(true);
      const report = JSON.parse(suite.stdout) as {
        status: string;
        run: { stack: { name: string } };
        summary: { passed: number; failed: number };
        checks: Array<{ name: string; status: string; message?: string }>;
      };
      expect(report.run.stack.name).toBe(copies[index]!.stack);
      const failed = report.checks.filter((check) => check.status === 'failed').map((check) => `${check.name}: ${check.message ?? ''}`);
      expect(failed, `copy ${copies[index]!.stack}`).toEqual([]);
      expect(report.status).toBe('PASSED');
      expect(suite.exitCode).toBe(0);
      expect(report.summary.passed).toBeGreaterThanOrEqual(42);
    }
  });

  it('down of one copy removes it whole and leaves the other two running and ready', { timeout: 300_000 }, async () => {
    const [first, ...others] = copies;
    const removed = await stackctl(['down', '-p', first!.stack], {});
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(await copyObjects(first!.stack)).toEqual([]);
    for (const other of others) {
      const ps = await stackctl(['ps', '-p', other.stack, '--json'], env);
      expect(ps.exitCode, ps.stderr).toBe(0);
      const rows = JSON.parse(ps.stdout) as Array<{ state: string; readiness: string }>;
      expect(rows.map((row) => `${row.state}:${row.readiness}`)).toEqual(Array(SERVICES).fill('running:ready'));
      expect((await copyObjects(other.stack)).filter((object) => object.startsWith('container '))).toHaveLength(SERVICES + 1);
    }
  });
});
