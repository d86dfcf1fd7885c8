/**
 * Input that cannot hurt (issue 12 items 5–8): regular files only, within the size limit, inside the
 * project; files that are not stack files are not echoed; nesting, interpolation depth, alias size and
 * extends chains stop at a named limit; misleading messages fixed (CR-only files, *.stack.yaml typos).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStack } from '../../../src/load/load.js';
import { readInputFileSync, inputLimitBytes, insideProject } from '../../../src/config/read-input.js';
import { runCli } from '../../support/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'stackctl-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
};
const errors = async (file: string, env: Record<string, string> = {}) =>
  (await loadStack(file, { env, cwd: dir })).diagnostics.filter((d) => d.severity === 'error');

describe('reading input files', () => {
  it('refuses a FIFO at once, and devices, and files over the limit (overridable)', () => {
    const fifo = path.join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    expect(readInputFileSync(fifo)).toMatchObject({ ok: false, code: 'NOT_REGULAR', reason: expect.stringContaining('named pipe') });
    expect(readInputFileSync('/dev/zero')).toMatchObject({ ok: false, code: 'NOT_REGULAR', reason: expect.stringContaining('character device') });
    const big = write('big.yml', 'x'.repeat(2048));
    expect(readInputFileSync(big, { STACKCTL_MAX_INPUT_BYTES: '1k' })).toMatchObject({ ok: false, code: 'TOO_BIG', reason: expect.stringContaining('STACKCTL_MAX_INPUT_BYTES') });
    expect(readInputFileSync(big, { STACKCTL_MAX_INPUT_BYTES: '4k' })).toMatchObject({ ok: true });
    expect(inputLimitBytes({})).toBe(8 * 1024 * 1024);
  });

  it('a FIFO as -f, env_file or .env fails fast with a clear error', async () => {
    const fifoDir = path.join(dir, 'fifo-project');
    mkdirSync(fifoDir);
    execFileSync('mkfifo', [path.join(fifoDir, 'app.env')]);
    execFileSync('mkfifo', [path.join(fifoDir, 'stack.pipe')]);
    writeFileSync(path.join(fifoDir, 'docker-compose.yml'), 'services:\n  a:\n    image: x\n    env_file: app.env\n');
    const found = await errors(path.join(fifoDir, 'docker-compose.yml'));
    expect(found.map((d) => d.message)).toEqual([expect.stringMatching(/cannot read env file .*app\.env: it is not a regular file \(a named pipe\)/)]);
    expect((await errors(path.join(fifoDir, 'stack.pipe')))[0]?.message).toMatch(/not a regular file/);
    execFileSync('mkfifo', [path.join(fifoDir, '.env')]);
    expect((await errors(path.join(fifoDir, 'docker-compose.yml'))).some((d) => /\.env: it is not a regular file/.test(d.message))).toBe(true);
  });

  it('referenced files must lie inside the project unless allowed', async () => {
    const project = path.join(dir, 'proj');
    write('proj/docker-compose.yml', 'services:\n  a:\n    image: x\n    env_file: /etc/hostname\n');
    const [outside] = await errors(path.join(project, 'docker-compose.yml'));
    expect(outside?.message).toMatch(/env file \/etc\/hostname is outside the project/);
    expect(outside?.hint).toContain('STACKCTL_ALLOWED_PATHS=/etc');
    expect(await errors(path.join(project, 'docker-compose.yml'), { STACKCTL_ALLOWED_PATHS: '/etc' })).toEqual([]);
    expect(insideProject('/etc/passwd', project, {})).toBe(false);
  });
});

describe('files that are not stack files', () => {
  it('-f on a password file names at most its first key, shortened, and says it is not a stack file', async () => {
    const shadow = write('shadow', 'root:$y$j9T$abcdefghijklmnopqrstuv:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n');
    const run = await runCli(['validate', '-f', shadow], { cwd: dir, env: {} });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('shadow is not a stack file');
    expect(run.stdout).not.toContain('abcdefgh');
    expect(run.stdout).not.toContain('daemon');
  });
});

describe('named limits instead of crashes', () => {
  it('deep flow nesting, deep ${…} defaults, huge alias expansion and long extends chains', async () => {
    const flow = await errors(write('flow.yml', `services:\n  a:\n    image: x\n    labels: ${'['.repeat(900)}${']'.repeat(900)}\n`));
    expect(flow[0]?.message).toMatch(/input limit: collections nest deeper than 200 levels/);
    const interp = await errors(write('interp.yml', `services:\n  a:\n    image: x\n    environment:\n      X: "${'${A:-'.repeat(3000)}v${'}'.repeat(3000)}"\n`));
    expect(interp[0]?.message).toMatch(/input limit: `\$\{…\}` expressions nest deeper than 50 levels/);
    const alias = await errors(write('alias.yml', `x-big: &big "${'y'.repeat(200_000)}"\nservices:\n  a:\n    image: x\n    labels:\n${Array.from({ length: 3000 }, (_, i) => `      l${i}: *big\n`).join('')}`));
    expect(alias[0]?.message).toMatch(/input limit: with its aliases resolved the document holds more than 32 MiB/);
    const chain = await errors(write('chain.yml', `services:\n${Array.from({ length: 4000 }, (_, i) => `  s${i}:\n    extends: s${i + 1}\n`).join('')}  s4000:\n    image: x\n`));
    expect(chain[0]?.message).toMatch(/extends: the chain from `s0` is deeper than 64 services \(the limit\)/);
    expect(chain.length).toBeLessThan(100);
  });

  it('5 MB of blank lines parses in bounded time and keeps line numbers', async () => {
    const found = await errors(write('blank.yml', `services:${'\n'.repeat(5_000_000)}  a:\n    image: x\n    ports: ["eighty"]\n`));
    expect(found[0]?.location.line).toBe(5_000_003);
  });
});

describe('messages that were misleading', () => {
  it('a CR-only file is read as lines, not as empty', async () => {
    expect(await errors(write('cr/docker-compose.yml', 'services:\r  a:\r    image: x\r'))).toEqual([]);
  });

  it('a *.stack.yaml with a typo gets "did you mean", as stack.yaml does', async () => {
    const [typo] = await errors(write('app.stack.yaml', 'name: t\nservices:\n  a:\n    image: x\n    readines:\n      tcp: 80\n'));
    expect(typo?.message).toMatch(/did you mean `readiness`/);
  });
});
