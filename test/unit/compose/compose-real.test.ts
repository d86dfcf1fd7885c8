/**
 * test/fixtures/compose-real/: compose projects written in the styles real open-source projects use
 * (anchors and merge keys, listen wildcards, object-store URLs, kafka listeners, init-script users,
 * env files, secrets, `network_mode: host`, profiles, a 70-service error tracker, …). Each directory's
 * expected.json lists every finding that is not info — `severity CODE service file:line` — so a new
 * false positive fails as surely as a missed finding; the valid ones (no error) must exit 0 from
 * `stackctl validate -f`. Directories named `merge-*` belong to the multi-file tests.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStack } from '../../../src/load/load.js';
import { sortFindings, validateStack } from '../../../src/validate/validate.js';
import type { Diagnostic } from '../../../src/diagnostic.js';
import { runCli } from '../../support/cli.js';

const ROOT = path.resolve(__dirname, '../../fixtures/compose-real');

interface Expected {
  /** The compose file, relative to the project directory. */
  file: string;
  services: number;
  /** `severity CODE service file:line`, in validate's order. */
  findings: string[];
}

const projects = readdirSync(ROOT)
  .filter((name) => !name.startsWith('merge-') && existsSync(path.join(ROOT, name, 'expected.json')))
  .map((name) => ({ name, expected: JSON.parse(readFileSync(path.join(ROOT, name, 'expected.json'), 'utf8')) as Expected }));

async function validate(name: string, file: string): Promise<{ diagnostics: Diagnostic[]; services: number }> {
  const loaded = await loadStack(path.join(ROOT, name, file), { env: {} });
  let diagnostics = loaded.diagnostics;
  if (loaded.stack) diagnostics = sortFindings(loaded.stack, [...diagnostics, ...(await validateStack(loaded.stack, { checkHostPorts: false }))]);
  return { diagnostics, services: loaded.stack?.services.length ?? 0 };
}

function show(name: string, d: Diagnostic): string {
  return `${d.severity} ${d.code} ${d.service ?? '-'} ${path.relative(path.join(ROOT, name), d.location.file)}:${d.location.line}`;
}

describe('compose-real fixtures', () => {
  it('holds at least 30 projects, one of them with 50+ services', () => {
    expect(projects.length).toBeGreaterThanOrEqual(30);
    expect(Math.max(...projects.map((p) => p.expected.services))).toBeGreaterThanOrEqual(50);
  });

  it.each(projects.map((p) => [p.name, p.expected] as const))('%s: exactly the expected findings', async (name, expected) => {
    const { diagnostics, services } = await validate(name, expected.file);
    expect(services).toBe(expected.services);
    expect(diagnostics.filter((d) => d.severity !== 'info').map((d) => show(name, d))).toEqual(expected.findings);
    for (const d of diagnostics) {
      expect(d.code).not.toBe('INTERNAL');
      expect(d.hint.length, `${show(name, d)} has a hint`).toBeGreaterThan(10);
      expect(d.location.line, `${show(name, d)} has a line`).toBeGreaterThan(0);
    }
  });

  const valid = projects.filter((p) => !p.expected.findings.some((f) => f.startsWith('error ')));
  const broken = projects.filter((p) => p.expected.findings.some((f) => f.startsWith('error ')));

  it('most projects are valid compose that runs: no false errors', () => {
    expect(valid.length).toBeGreaterThanOrEqual(25);
  });

  it.each(valid.map((p) => [p.name, p.expected.file] as const))('stackctl validate -f %s exits 0', async (name, file) => {
    const result = await runCli(['validate', '-f', path.join(name, file), '--no-port-check'], { cwd: ROOT, env: {} });
    expect(result.stderr).toBe('');
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/✔ /);
  });

  it('info findings are counted, not printed, unless --verbose (--json keeps them)', async () => {
    const args = ['validate', '-f', 'sentry-selfhosted/docker-compose.yml', '--no-port-check'];
    const quiet = await runCli(args, { cwd: ROOT, env: {} });
    expect(quiet.stdout).toMatch(/\d+ notes \(info\) not shown: --verbose shows them/);
    expect(quiet.stdout).not.toMatch(/COMPOSE001/);
    const verbose = await runCli([...args, '--verbose'], { cwd: ROOT, env: {} });
    expect(verbose.stdout).toMatch(/info {4}COMPOSE001 {2}sentry-selfhosted\/docker-compose\.yml:\d+:\d+: `services\.\w+\.(ulimits|platform)`/);
    const json = JSON.parse((await runCli([...args, '--json'], { cwd: ROOT, env: {} })).stdout) as { summary: { infos: number } };
    expect(json.summary.infos).toBeGreaterThan(0);
  });

  it.each(broken.map((p) => [p.name, p.expected.file] as const))('stackctl validate -f %s exits 1 and names the cause', async (name, file) => {
    const result = await runCli(['validate', '-f', path.join(name, file), '--no-port-check'], { cwd: ROOT, env: {} });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/✖ .*\d+ errors?/);
    expect(result.stdout).toContain('hint: ');
  });
});
