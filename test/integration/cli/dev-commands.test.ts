/**
 * The compose-style commands on the real engine, over a three-service stack (db ← api ← web, plus a
 * built image): up SERVICE…, build, stop/start, exec, run --rm, top, config, and the completion
 * scripts (bash's is run, zsh's and fish's parsed by their shells when installed).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, stackctl, uniqueName } from '../engine/cli.js';

const PROJECT = uniqueName('it-devcmd');
const SECRET = `s3cr3t-${Math.random().toString(36).slice(2)}-value`;
let dir: string;
let file: string;

const STACK = `
name: ${PROJECT}
services:
  db:
    image: debian:bookworm-slim
    command: ["sh", "-c", "touch /tmp/up; trap 'exit 0' TERM; sleep infinity & wait"]
    environment: { DB_PASSWORD: "${SECRET}" }
    secrets: [DB_PASSWORD]
    readiness: { exec: ["test", "-f", "/tmp/up"], timeout: 20s }
  api:
    image: ${PROJECT}/api:dev
    build: api
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep infinity & wait"]
    environment: { GREETING: hello-from-api }
    depends_on: [db]
    readiness: { exec: ["true"], timeout: 20s }
  web:
    image: debian:bookworm-slim
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep infinity & wait"]
    depends_on: [api]
    readiness: { exec: ["true"], timeout: 20s }
`;

const env = { STACKCTL_NO_DAEMON: '1' };
/** The command name first, then -f (so nothing after a `--` is taken for it). */
const cli = (command: string, ...args: string[]) => stackctl([command, '-f', file, ...args], env);

async function states(): Promise<Record<string, string>> {
  const { stdout } = await execa('docker', ['ps', '-a', '--filter', `label=io.stackctl.stack=${PROJECT}`, '--format', '{{.Names}} {{.State}}']);
  return Object.fromEntries(stdout.split('\n').filter(Boolean).map((line) => line.split(' ') as [string, string]));
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'stackctl-devcmd-it-'));
  file = path.join(dir, 'stack.yaml');
  writeFileSync(file, STACK);
  mkdirSync(path.join(dir, 'api'));
  writeFileSync(path.join(dir, 'api/Dockerfile'), 'FROM debian:bookworm-slim\nRUN echo built > /built\n');
}, 120_000);

afterAll(async () => {
  await cli('down', '-v');
  await execa('docker', ['rmi', '-f', `${PROJECT}/api:dev`], { reject: false });
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('compose-style commands', () => {
  it('build builds only what has a build, and an unchanged context is up to date', async () => {
    const first = await cli('build');
    expect(first.exitCode, first.stderr + first.stdout).toBe(0);
    expect(first.stdout).toMatch(/✔ api: built in/);
    const again = await cli('build', 'api', 'db');
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/✔ api: up to date/);
    expect(again.stdout).toContain('db: no `build` in the stack file');
    const unknown = await cli('build', 'nope');
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain(`stack ${PROJECT} has no service "nope"`);
  }, 120_000);

  it('up SERVICE starts it and what it depends on, nothing else', async () => {
    const up = await cli('up', 'api', '--progress', 'plain');
    expect(up.exitCode, up.stderr + up.stdout).toBe(0);
    expect(await states()).toEqual({ [`${PROJECT}-db`]: 'running', [`${PROJECT}-api`]: 'running' });
    const all = await cli('up', '--progress', 'plain');
    expect(all.exitCode).toBe(0);
    expect(Object.keys(await states()).sort()).toEqual([`${PROJECT}-api`, `${PROJECT}-db`, `${PROJECT}-web`]);
  }, 120_000);

  it('stop stops dependents first and keeps the containers; start brings them back ready', async () => {
    const stop = await cli('stop', 'api', 'web');
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(stop.stdout.indexOf('web stopped')).toBeLessThan(stop.stdout.indexOf('api stopped'));
    expect(await states()).toEqual({ [`${PROJECT}-db`]: 'running', [`${PROJECT}-api`]: 'exited', [`${PROJECT}-web`]: 'exited' });
    const start = await cli('start', 'web');
    expect(start.exitCode, start.stderr + start.stdout).toBe(0);
    expect(start.stdout).toContain('3 ready');
    expect(Object.values(await states())).toEqual(['running', 'running', 'running']);
  }, 120_000);

  it("exec runs in the service's container with its environment, and returns the command's exit code", async () => {
    const ok = await cli('exec', '-T', 'api', '--', 'sh', '-c', 'echo "$GREETING"; cat /built');
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stdout).toBe('hello-from-api\nbuilt');
    const failing = await cli('exec', '-T', '-e', 'CODE=7', 'api', '--', 'sh', '-c', 'exit $CODE');
    expect(failing.exitCode).toBe(7);
    await cli('stop', 'web');
    const stopped = await cli('exec', '-T', 'web', 'true');
    expect(stopped.exitCode).toBe(2);
    expect(stopped.stderr).toContain('web is not running (exited)');
    await cli('start', 'web');
  }, 120_000);

  it('run --rm runs a one-off container on the stack network, leaves the service alone, and removes it', async () => {
    const before = await states();
    const run = await cli('run', '--rm', 'api', '--', 'sh', '-c', 'getent hosts db >/dev/null && echo db-reachable; echo "$GREETING"; exit 3');
    expect(run.exitCode, run.stderr).toBe(3);
    expect(run.stdout).toBe('db-reachable\nhello-from-api');
    expect(run.stderr).toContain('db');
    expect(await states()).toEqual(before);
    const ps = await cli('ps', '--json');
    expect(ps.stdout).not.toContain('-run-');
  }, 120_000);

  it('top lists the processes of each running service', async () => {
    const top = await cli('top', 'db');
    expect(top.exitCode, top.stderr).toBe(0);
    expect(top.stdout).toContain(`db (${PROJECT}-db)`);
    expect(top.stdout).toMatch(/PID\s+USER/);
    expect(top.stdout).toContain('sleep infinity');
  });

  it('config prints the resolved stack with secrets redacted, as YAML or JSON, and --services', async () => {
    const yaml = await cli('config');
    expect(yaml.exitCode).toBe(0);
    expect(yaml.stdout).toContain('DB_PASSWORD: "***"');
    expect(yaml.stdout).not.toContain(SECRET);
    const json = JSON.parse((await cli('config', '--format', 'json')).stdout) as { services: Record<string, { depends_on?: unknown; build?: unknown }> };
    expect(json.services.web!.depends_on).toEqual({ api: { condition: 'ready' } });
    expect(json.services.api!.build).toEqual({ context: 'api', dockerfile: 'api/Dockerfile' });
    expect((await cli('config', '--services')).stdout).toBe('db\napi\nweb');
  });

  it('completion: the bash script completes commands, options and the stack services', async () => {
    const script = (await stackctl(['completion', 'bash'], env)).stdout;
    const complete = async (words: string[]) => {
      const shim = `stackctl() { node ${BIN} "$@"; }\n${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _stackctl; printf '%s\\n' "\${COMPREPLY[@]}"`;
      return (await execa('bash', ['-c', shim], { cwd: dir, env: { ...env, NO_COLOR: '1' } })).stdout.split('\n').filter(Boolean);
    };
    expect(await complete(['stackctl', 'wa'])).toEqual(['watch']);
    expect(await complete(['stackctl', 'up', '--wa'])).toEqual(['--watch']);
    expect(await complete(['stackctl', 'exec', 'a'])).toEqual(['api']);
    for (const shell of ['zsh', 'fish'] as const) {
      const installed = await execa(shell, ['--version'], { reject: false });
      if (installed.exitCode !== 0) continue;
      const text = (await stackctl(['completion', shell], env)).stdout;
      const parsed = await execa(shell, ['-n'], { input: text, reject: false });
      expect(parsed.exitCode, `${shell}: ${parsed.stderr}`).toBe(0);
    }
    const bad = await stackctl(['completion', 'tcsh'], env);
    expect(bad.exitCode).toBe(2);
  }, 60_000);
});
