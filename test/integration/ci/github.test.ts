/**
 * CI's own views from real runs with the GitHub Actions variables set (GITHUB_STEP_SUMMARY and
 * GITHUB_ENV pointing at temp files): validate findings as annotations at file:line:col, the same
 * findings as a GitLab Code Quality report, and `up --ephemeral --test` with grouped sections, an
 * annotation for the failed check at its line of the suite, the Markdown report in the step summary
 * and the copy's endpoints in GITHUB_ENV — no secret anywhere.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, purge, stackctl } from '../engine/cli.js';
import { copyObjects } from './helpers.js';

const FIXTURE = path.join(ROOT, 'test/fixtures/ephemeral/stack.yaml');
const SUITE = path.join(ROOT, 'test/fixtures/ephemeral/suite.yaml');
const dir = mkdtempSync(path.join(tmpdir(), 'stackctl-gh-'));
const summary = path.join(dir, 'step-summary.md');
const githubEnv = path.join(dir, 'github-env');
const secrets = { EPH_PG_PASSWORD: randomBytes(12).toString('hex'), EPH_REDIS_PASSWORD: randomBytes(12).toString('hex') };
const github = { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: ROOT, GITHUB_STEP_SUMMARY: summary, GITHUB_ENV: githubEnv };
let copy = '';

beforeAll(async () => {
  writeFileSync(summary, '');
  writeFileSync(githubEnv, '');
});

afterAll(async () => {
  if (copy) await purge(copy);
  rmSync(dir, { recursive: true, force: true });
});

describe('GitHub Actions and GitLab views', () => {
  it('validate: one annotation per finding at file, line and column', async () => {
    const run = await stackctl(['validate', '-f', FIXTURE], { ...github });
    expect(run.exitCode, run.stderr).toBe(0);
    const annotations = run.stdout.split('\n').filter((line) => line.startsWith('::'));
    expect(annotations).toContain(
      '::warning file=test/fixtures/ephemeral/stack.yaml,line=13,col=26,title=COMPOSE103 [postgres]::EPH_PG_PASSWORD is not set, so the secret falls back to the default written in the file (${EPH_PG_PASSWORD:-…})%0Ahint: remove the default (write `${EPH_PG_PASSWORD:?set EPH_PG_PASSWORD}`) and set EPH_PG_PASSWORD in .env to a random value, e.g. `openssl rand -hex 32`',
    );
    expect(annotations).toHaveLength(4);
    const plain = await stackctl(['validate', '-f', FIXTURE], {});
    expect(plain.stdout).not.toContain('::warning');
  });

  it('validate --format codequality: a GitLab Code Quality report', async () => {
    const run = await stackctl(['validate', '-f', FIXTURE, '--format', 'codequality'], { CI_PROJECT_DIR: ROOT });
    const issues = JSON.parse(run.stdout) as Array<{ check_name: string; severity: string; fingerprint: string; location: { path: string; lines: { begin: number } } }>;
    expect(issues).toHaveLength(4);
    expect(issues[0]).toMatchObject({ check_name: 'COMPOSE103', severity: 'minor', location: { path: 'test/fixtures/ephemeral/stack.yaml', lines: { begin: 13 } } });
    expect(new Set(issues.map((issue) => issue.fingerprint)).size).toBe(4);
  });

  it('up --ephemeral --test: groups, a failed-check annotation, the step summary and GITHUB_ENV', { timeout: 300_000 }, async () => {
    const run = await stackctl(['up', '--ephemeral', '--test', '--suite', SUITE, '-f', FIXTURE, '--progress', 'plain'], { ...github, ...secrets });
    const output = run.stdout + run.stderr;
    copy = /ephemeral stack (eph-kill-[0-9a-f]{6})/.exec(output)?.[1] ?? '';
    expect(copy).not.toBe('');
    expect(run.exitCode, output.slice(-3000)).toBe(1); // the negative check fails the criteria
    expect(run.stdout).toContain(`::group::stackctl up ${copy}`);
    expect(run.stdout.indexOf('::endgroup::')).toBeGreaterThan(run.stdout.indexOf('::group::'));
    expect(run.stderr).toContain(`::group::stackctl test ${copy}`);
    const lines = readFileSync(SUITE, 'utf8').split('\n');
    const line = lines.findIndex((text) => text.includes('redis refuses a wrong password')) + 1;
    expect(run.stdout).toMatch(new RegExp(`^::error file=test/fixtures/ephemeral/suite.yaml,line=${line},col=\\d+,title=Negative › redis refuses a wrong password::`, 'm'));
    const markdown = readFileSync(summary, 'utf8');
    expect(markdown).toContain('redis refuses a wrong password');
    expect(Buffer.byteLength(markdown)).toBeLessThan(1024 * 1024);
    const envLines = readFileSync(githubEnv, 'utf8').split('\n');
    expect(envLines).toContain(`STACKCTL_PROJECT_NAME=${copy}`);
    expect(envLines.some((entry) => /^REDIS_PORT_6379=\d+$/.test(entry))).toBe(true);
    for (const secret of Object.values(secrets)) {
      expect(output).not.toContain(secret);
      expect(markdown).not.toContain(secret);
      expect(envLines.join('\n')).not.toContain(secret);
    }
    // --test without --detach: the copy is removed once the suite has run.
    expect(await copyObjects(copy)).toEqual([]);
  });
});
