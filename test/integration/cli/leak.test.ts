/**
 * Leak test on the real engine (issue 12): a tiny stack (one debian:bookworm-slim service, its own
 * project name, an engine-chosen host port) whose container prints canary secrets to stdout and stderr,
 * whose readiness probe echoes one, and whose environment holds the rest (URL userinfo included).
 * up (plain and --json), ps (text and --json), logs, the stack's log file, and the daemon — its
 * output, the API's status, events and logs — must hold no canary, whole or any 12-character piece.
 * The commands that need no engine are covered by test/unit/input/leak.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDaemon, type DaemonClient } from '../../../src/daemon/client.js';
import type { DaemonEventRecord } from '../../../src/daemon/api-types.js';
import { stackLogFile } from '../../../src/log.js';
import { findLeaks, makeCanaries } from '../../support/canaries.js';
import { runCli } from '../../support/cli.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'bin/stackctl.js');
const PROJECT = `it-leak-${process.pid}`;
const canaries = makeCanaries();
const env = { ...process.env, ...canaries, NO_COLOR: '1', STACKCTL_NO_DAEMON: '1' };
let dir: string;
let file: string;
const leaks: string[] = [];
const check = (label: string, text: string): void => {
  leaks.push(...findLeaks(label, text, canaries));
};

async function engineAvailable(): Promise<boolean> {
  const result = await execa('docker', ['image', 'inspect', 'debian:bookworm-slim'], { reject: false });
  return result.exitCode === 0;
}
const available = await engineAvailable();

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'stackctl-leak-it-'));
  file = path.join(dir, 'stack.yaml');
  const envNames = Object.keys(canaries).filter((name) => name !== 'LICENSE_BLOB');
  writeFileSync(
    file,
    [
      `name: ${PROJECT}`,
      'secret_names: { add: [LICENSE_*] }',
      'services:',
      '  app:',
      '    image: debian:bookworm-slim',
      '    command:',
      '      - sh',
      '      - -c',
      `      - 'echo "starting with $$API_KEY and $$DATABASE_URL"; echo "token=$$GITHUB_TOKEN license=$$LICENSE_BLOB" >&2; echo "$$JWT_SECRET" | tr a-z A-Z; trap "exit 0" TERM; sleep infinity & wait'`,
      '    environment:',
      ...envNames.map((name) => `      ${name}: \${${name}}`),
      '      LICENSE_BLOB: ${LICENSE_BLOB}',
      '      DATABASE_URL: postgresql://app:${DB_PASS}@db:5432/app',
      '    ports: ["127.0.0.1::8080"]',
      '    readiness:',
      '      exec: ["sh", "-c", "echo probing with ${API_KEY}; test -n \\"$$API_KEY\\""]',
      '      timeout: 60s',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  if (!dir) return;
  await execa(process.execPath, [BIN, 'down', '-v', '-f', file, '-p', PROJECT], { cwd: dir, env, reject: false });
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe.skipIf(!available)('no canary secret escapes through the engine side (real engine)', () => {
  it('up, ps, logs and the stack log file', async () => {
    const up = await runCli(['up', '-f', file, '-p', PROJECT, '--progress', 'plain'], { cwd: dir, env });
    expect(up.exitCode, up.stderr + up.stdout).toBe(0);
    check('up stdout', up.stdout);
    check('up stderr', up.stderr);
    const upJson = await runCli(['up', '-f', file, '-p', PROJECT, '--json'], { cwd: dir, env });
    expect(upJson.exitCode, upJson.stderr).toBe(0);
    check('up --json', upJson.stdout + upJson.stderr);
    for (const args of [['ps'], ['ps', '--json'], ['logs'], ['logs', '--tail', '5']]) {
      const run = await runCli([...args, '-p', PROJECT, '--file', file], { cwd: dir, env });
      expect(run.exitCode, run.stderr).toBe(0);
      check(args.join(' '), run.stdout + run.stderr);
    }
    const logs = await runCli(['logs', '--file', file, '-p', PROJECT], { cwd: dir, env });
    expect(logs.stdout).toContain('starting with');
    const logFile = stackLogFile(dir, PROJECT);
    expect(existsSync(logFile)).toBe(true);
    check('log file', readFileSync(logFile, 'utf8'));
    expect(leaks).toEqual([]);
  }, 300_000);

  it("the daemon's output, API status, events and logs", async () => {
    leaks.length = 0;
    let output = '';
    const daemon: ChildProcess = spawn(process.execPath, [BIN, 'daemon', '-f', file, '-p', PROJECT, '--no-test', '--listen', '127.0.0.1:0'], {
      cwd: dir,
      env: { ...env, STACKCTL_NO_DAEMON: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    daemon.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    daemon.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      let client: DaemonClient | undefined;
      const deadline = Date.now() + 120_000;
      while (!client && Date.now() < deadline) {
        client = await findDaemon(dir, PROJECT).catch(() => undefined);
        if (!client) await new Promise((r) => setTimeout(r, 250));
      }
      expect(client, output).toBeDefined();
      let status = await client!.status();
      while (Date.now() < deadline && !(status.phase === 'supervising' && status.services.every((s) => s.state === 'ready'))) {
        await new Promise((r) => setTimeout(r, 250));
        status = await client!.status();
      }
      check('daemon status', JSON.stringify(status));
      check('daemon service', JSON.stringify(await client!.service('app')));
      const events: DaemonEventRecord[] = [];
      const stop = new AbortController();
      const collecting = client!.events((record) => events.push(record), { signal: stop.signal, since: 0 }).catch(() => undefined);
      await client!.restart('app');
      // The stream has everything the restart produced once it carries the action's end.
      const restarted = (): boolean => events.some(({ event }) => event.type === 'action.finished' && event.action === 'restart');
      while (!restarted() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(restarted(), JSON.stringify(events)).toBe(true);
      stop.abort();
      await collecting;
      expect(events.length).toBeGreaterThan(0);
      check('daemon events', JSON.stringify(events));
      const lines: unknown[] = [];
      await client!.logs({ tail: 'all' }, (line) => lines.push(line));
      expect(JSON.stringify(lines)).toContain('starting with');
      check('daemon logs', JSON.stringify(lines));
    } finally {
      daemon.kill('SIGTERM');
      await new Promise((r) => daemon.once('exit', r));
    }
    check('daemon output', output);
    check('log file after the daemon', readFileSync(stackLogFile(dir, PROJECT), 'utf8'));
    expect(leaks).toEqual([]);
  }, 300_000);
});
