/** `stackctl import` and `stackctl export compose`, run in-process. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
// Our own compose file with the post-mortem file's shapes (requirepass, curl healthcheck, plain depends_on).
const FIXTURE = path.join(repo, 'test/fixtures/compose/28-import-cli.yml');
const work = mkdtempSync(path.join(tmpdir(), 'stackctl-compose-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('stackctl import', () => {
  it('writes a commented stack.yaml that loads as a stack file and keeps references, not values', async () => {
    const out = path.join(work, 'imported.stack.yaml');
    const run = await runCli(['import', FIXTURE, '-o', out], { cwd: work, env: { REDIS_PASSWORD: 'never-in-output' } });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain('wrote imported.stack.yaml (3 services)');
    const text = readFileSync(out, 'utf8');
    expect(text).not.toContain('never-in-output');
    expect(text).toContain('command: redis-server --requirepass ${REDIS_PASSWORD}');
    expect(text).toMatch(/# compose's plain depends_on list waits only for the start: `started`/);
    expect(text).toMatch(/# from the healthcheck: translated from `curl -f http:\/\/localhost:8007\/health`/);
    expect(text).toContain('JWT_SECRET=${JWT_SECRET:-default-jwt-secret-change-in-production}');
    const validate = await runCli(['validate', '-f', out, '--json', '--no-port-check'], { cwd: work, env: {} });
    const report = JSON.parse(validate.stdout) as { format: string; findings?: Array<{ code: string }>; diagnostics?: Array<{ code: string }> };
    expect(report.format).toBe('stackctl');
    const codes = (report.findings ?? report.diagnostics ?? []).map((f) => f.code);
    // DATABASE_URL is built from unset POSTGRES_* variables: ENV001 names that cause once; no CRED002
    // restating it per URL (issue 11, class 4).
    expect(codes).toContain('ENV001');
    expect(codes).not.toContain('CRED002');
    expect(codes).not.toContain('SCHEMA002');
  });

  it('refuses to overwrite without --force, and prints with -o -', async () => {
    const out = path.join(work, 'exists.yaml');
    writeFileSync(out, 'keep me\n');
    const refused = await runCli(['import', FIXTURE, '-o', out], { cwd: work });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('already exists');
    expect(readFileSync(out, 'utf8')).toBe('keep me\n');
    const printed = await runCli(['import', FIXTURE, '-o', '-'], { cwd: work });
    expect(printed.exitCode).toBe(0);
    expect(printed.stdout).toContain('services:');
  });

  it('a missing or broken compose file is one clear error line with file:line', async () => {
    const missing = await runCli(['import', path.join(work, 'nope.yml'), '-o', '-'], { cwd: work });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/^nope\.yml: error FILE001: .*nope\.yml: no such file/m);
    const broken = path.join(work, 'broken.yml');
    writeFileSync(broken, 'services:\n  a:\n    image: [unclosed\n');
    const run = await runCli(['import', broken, '-o', '-'], { cwd: work });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/broken\.yml:\d+:\d+: error YAML001: YAML syntax error/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('a compose file that validate rejects is not imported: exit 1, its errors, nothing written', async () => {
    const bad = path.join(work, 'bad-port.yml');
    writeFileSync(bad, 'services:\n  a:\n    image: nginx\n    ports: ["80:eighty"]\n');
    const out = path.join(work, 'bad-port.stack.yaml');
    const run = await runCli(['import', bad, '-o', out], { cwd: work });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/bad-port\.yml:4:\d+: error COMPOSE002/);
    expect(run.stderr).toContain('nothing imported');
    expect(existsSync(out)).toBe(false);
  });
});

describe('stackctl export compose', () => {
  it('--check says the committed export is current', async () => {
    const run = await runCli(['export', 'compose', '--check'], { cwd: repo, env: {} });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain('compose/docker-compose.yml is current');
  });

  it('writes a variant with another healthcheck interval; --check then reports it out of date', async () => {
    const out = path.join(work, 'compose', 'fast.yml');
    const run = await runCli(['export', 'compose', '-f', path.join(repo, 'stack.yaml'), '-o', out, '--healthcheck-interval', '1s'], { cwd: work, env: {} });
    expect(run.exitCode, run.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('interval: 1s');
    expect(text).toContain('retries: 60');
    const check = await runCli(['export', 'compose', '-f', path.join(repo, 'stack.yaml'), '-o', out, '--check'], { cwd: work, env: {} });
    expect(check.exitCode).toBe(1);
    expect(check.stderr).toContain('out of date');
  });

  it('unknown formats and bad intervals are usage errors', async () => {
    expect((await runCli(['export', 'helm'], { cwd: repo })).exitCode).toBe(2);
    expect((await runCli(['export', 'compose', '--healthcheck-interval', 'soon', '-o', '-'], { cwd: repo })).exitCode).toBe(2);
    expect(existsSync(path.join(repo, 'helm'))).toBe(false);
  });
});
