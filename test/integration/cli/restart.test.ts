/**
 * `stackctl restart` without a daemon, on the real engine: the same container is restarted (not
 * recreated) and proven ready again by its probe; unknown and stopped services are refused.
 * (Through the daemon: test/integration/daemon.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackctl, uniqueName } from '../engine/cli.js';

const PROJECT = uniqueName('it-restart');
let dir: string;
let file: string;

const STACK = `
name: ${PROJECT}
services:
  store:
    image: debian:bookworm-slim
    command: ["sh", "-c", "touch /tmp/up; trap 'exit 0' TERM; sleep infinity & wait"]
    readiness: { exec: ["test", "-f", "/tmp/up"], timeout: 20s }
  app:
    image: debian:bookworm-slim
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep infinity & wait"]
    depends_on: { store: { condition: ready } }
    readiness: { exec: ["true"], timeout: 20s }
`;

const env = { STACKCTL_NO_DAEMON: '1' };
const cli = (...args: string[]) => stackctl([...args, '-f', file], env);

async function inspect(name: string): Promise<{ id: string; startedAt: string; running: boolean }> {
  const { stdout } = await execa('docker', ['inspect', '--format', '{{.Id}} {{.State.StartedAt}} {{.State.Running}}', `${PROJECT}-${name}`]);
  const [id = '', startedAt = '', running = ''] = stdout.trim().split(' ');
  return { id, startedAt, running: running === 'true' };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'stackctl-restart-it-'));
  file = path.join(dir, 'stack.yaml');
  writeFileSync(file, STACK);
  const up = await cli('up', '--progress', 'plain');
  expect(up.exitCode, up.stderr + up.stdout).toBe(0);
}, 300_000);

afterAll(async () => {
  await cli('down', '-v');
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('stackctl restart (no daemon)', () => {
  it('restarts the same container and waits for its probe', async () => {
    const before = await inspect('store');
    const result = await cli('restart', 'store', '--timeout', '1');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/✔ store restarted: ready/);
    const after = await inspect('store');
    expect(after.id).toBe(before.id);
    expect(after.running).toBe(true);
    expect(after.startedAt).not.toBe(before.startedAt);
  }, 120_000);

  it('refuses a service the stack does not have, naming the ones it has', async () => {
    const result = await cli('restart', 'nosuch');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/has no service "nosuch"/);
    expect(result.stderr).toMatch(/its services: store, app/);
  });

  it('refuses a service that is not running, pointing at up', async () => {
    await execa('docker', ['stop', '-t', '1', `${PROJECT}-app`]);
    const result = await cli('restart', 'app');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/not running: app/);
    expect(result.stderr).toMatch(/stackctl up/);
  }, 60_000);
});
