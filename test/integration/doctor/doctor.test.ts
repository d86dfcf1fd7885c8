/**
 * `stackctl doctor` on this machine: with the engine up, with no engine at DOCKER_HOST (a socket
 * where nothing listens — the shared dockerd is never stopped), and with a host port the stack wants
 * held by another program. Exit status by the worst line: 0 ok, 1 warning, 2 error.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DoctorCheck } from '../../../src/doctor/check.js';
import { runCli } from '../../support/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'stackctl-it-doctor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface DoctorJson {
  schemaVersion: number;
  worst: string;
  checks: DoctorCheck[];
}

async function doctor(args: string[], env: NodeJS.ProcessEnv = { ...process.env }): Promise<{ exitCode: number; json: DoctorJson; byId: Record<string, DoctorCheck> }> {
  const run = await runCli(['doctor', '--json', ...args], { cwd: dir, env });
  const json = JSON.parse(run.stdout) as DoctorJson;
  return { exitCode: run.exitCode, json, byId: Object.fromEntries(json.checks.map((c) => [c.id, c])) };
}

describe('stackctl doctor', () => {
  it('with the engine up: reachable, version, storage, clock, memory, DNS inside a container; exit by the worst line', async () => {
    const { exitCode, json, byId } = await doctor([]);
    expect(json.schemaVersion).toBe(1);
    expect(byId.engine).toMatchObject({ status: 'ok' });
    expect(byId.engine!.detail).toMatch(/^reachable at unix:\/\/\S+docker\.sock via /);
    expect(byId.version!.detail).toMatch(/^Docker \S+, API 1\.\d+/);
    expect(byId.storage!.detail).toMatch(/^storage driver \w+, root \//);
    expect(['ok', 'warning', 'error']).toContain(byId.disk!.status);
    expect(byId.disk!.detail).toMatch(/GiB free of/);
    expect(byId.clock).toMatchObject({ status: 'ok' });
    expect(byId.memory!.detail).toMatch(/^engine sees [\d.]+ GiB/);
    expect(byId.ports).toMatchObject({ status: 'skipped' });
    expect(byId.dns).toMatchObject({ status: 'ok', detail: "on a fresh user network, a container's name resolved from inside a container" });
    expect(byId['apt-lock']!.detail).toMatch(/no dpkg\/apt lock is held|is held by pid \d+/);
    expect(exitCode).toBe({ ok: 0, warning: 1, error: 2 }[json.worst]);
    const text = await runCli(['doctor'], { cwd: dir });
    expect(text.stdout).toMatch(/^✓ engine /m);
  }, 60_000);

  it('with no engine at DOCKER_HOST: the engine line is an error with a fix, the checks that need it are skipped, exit 2', async () => {
    const socket = path.join(dir, 'no-engine.sock');
    const { exitCode, byId, json } = await doctor([], { ...process.env, DOCKER_HOST: `unix://${socket}` });
    expect(exitCode).toBe(2);
    expect(json.worst).toBe('error');
    expect(byId.engine!.status).toBe('error');
    expect(byId.engine!.detail).toContain(`not reachable via DOCKER_HOST=unix://${socket}`);
    expect(byId.engine!.fix).toMatch(/start the engine/);
    for (const id of ['version', 'storage', 'disk', 'clock', 'memory', 'dns']) expect(byId[id], id).toMatchObject({ status: 'skipped', detail: 'engine not reachable' });
  }, 30_000);

  it('with a port the stack wants taken: the ports line names who holds it, exit 2', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      writeFileSync(path.join(dir, 'stack.yaml'), `name: doctor-ports-${process.pid}\nservices:\n  web:\n    image: debian:bookworm-slim\n    ports: ["127.0.0.1:${port}:80"]\n`);
      const { exitCode, byId } = await doctor(['-f', 'stack.yaml']);
      expect(exitCode).toBe(2);
      expect(byId.ports!.status).toBe('error');
      expect(byId.ports!.detail).toContain(`1 host port wanted by doctor-ports-${process.pid}: 0 free; 127.0.0.1:${port} (web) is taken by `);
      expect(byId.ports!.detail).toContain(`(pid ${process.pid}`);
      expect(byId.ports!.fix).toMatch(/stop what holds them/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const free = await doctor(['-f', 'stack.yaml']);
    expect(free.byId.ports).toMatchObject({ status: 'ok', detail: `1 host port wanted by doctor-ports-${process.pid}: 1 free` });
  }, 60_000);
});
