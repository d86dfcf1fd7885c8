/**
 * Every probe kind against real containers: postgres and redis from the example images with the
 * right, a wrong and a missing password; tcp through docker-proxy; exec and log on a real
 * container; and waitReady giving up on a container that exits.
 */
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeSpec } from '../../../src/config/model.js';
import { ProbeTimeoutError } from '../../../src/errors.js';
import { createProbe } from '../../../src/probes/create-probe.js';
import { ProbeGaveUpError } from '../../../src/probes/errors.js';
import { HopelessProbeError, type ProbeTarget } from '../../../src/probes/probe.js';
import { probeFailureOf } from '../../../src/probes/probe-failure.js';
import { waitReady } from '../../../src/probes/wait-ready.js';
import { DockerRuntime } from '../../../src/runtime/docker-runtime.js';
import type { ContainerSpec } from '../../../src/runtime/runtime.js';
import { removeTestStack, startTarget, testContainerSpec } from '../../support/test-containers.js';

const STACK = 'itest-probes';
const NETWORK = `${STACK}_default`;
const POSTGRES_IMAGE = 'stackctl-example/postgres:dev';
const REDIS_IMAGE = 'stackctl-example/redis:dev';
const PG = { user: 'app', password: 'right-pg-pass-7731', database: 'appdb' };
const REDIS_PASSWORD = 'right-redis-pass-9913';
const loc = { file: 'stack.yaml', line: 1, col: 1 };

const runtime = new DockerRuntime({ stack: STACK });
const targets: Record<string, ProbeTarget> = {};

const cleanup = (): Promise<void> => removeTestStack(STACK);

/** The example images are built from images/<name> when absent (another engineer's Dockerfiles). */
async function ensureImage(tag: string, dir: string): Promise<void> {
  if (await runtime.imageExists(tag)) return;
  await execa('docker', ['build', '-q', '-t', tag, path.resolve(dir)]);
}

async function start(service: string, overrides: Partial<ContainerSpec>): Promise<ProbeTarget> {
  const target = await startTarget(runtime, testContainerSpec(STACK, service, overrides));
  targets[service] = target;
  return target;
}

const signal = (): AbortSignal => AbortSignal.timeout(10_000);

function postgres(overrides: Partial<typeof PG> = {}): ProbeSpec {
  return { kind: 'postgres', port: 5432, ...PG, ...overrides };
}

beforeAll(async () => {
  await runtime.ping();
  await cleanup();
  await Promise.all([ensureImage(POSTGRES_IMAGE, 'images/postgres'), ensureImage(REDIS_IMAGE, 'images/redis')]);
  await runtime.ensureNetwork(STACK, NETWORK);
  const postgresTarget = await start('postgres', {
    image: POSTGRES_IMAGE,
    env: { POSTGRES_USER: PG.user, POSTGRES_PASSWORD: PG.password, POSTGRES_DB: PG.database },
    probePorts: [5432],
  });
  const redisTarget = await start('redis', {
    image: REDIS_IMAGE,
    env: { REDIS_PASSWORD },
    // 7000: published, nothing listens on it inside.
    ports: [{ target: 7000, protocol: 'tcp', location: loc }],
    probePorts: [6379],
  });
  await Promise.all([
    waitReady(createProbe(postgres()), postgresTarget, { timeoutMs: 60_000 }),
    waitReady(createProbe({ kind: 'redis', port: 6379, password: REDIS_PASSWORD }), redisTarget, { timeoutMs: 30_000 }),
  ]);
});

afterAll(async () => {
  await cleanup();
});

function target(service: string): ProbeTarget {
  const found = targets[service];
  if (!found) throw new Error(`no target ${service}`);
  return found;
}

describe('postgres probe', () => {
  it('logs in with the right password and runs SELECT 1', async () => {
    const result = await waitReady(createProbe(postgres()), target('postgres'), { timeoutMs: 10_000 });
    expect(result.attempts).toBe(1);
  });

  it("surfaces postgres's own words for a wrong password, never the password", async () => {
    const probe = createProbe(postgres({ password: 'wrong-pg-pass-0000' }));
    const error = await probe.check(target('postgres'), signal()).catch((e: unknown) => e);
    const port = target('postgres').hostPort(5432);
    expect((error as Error).message).toBe(`postgres app@127.0.0.1:${port}/appdb: password authentication failed for user "app"`);
    expect((error as Error).message).not.toContain('wrong-pg-pass');
    expect((error as Error).message).not.toContain(PG.password);
    // The cause as data: postgres's SQLSTATE decides, not its wording.
    expect(probeFailureOf(error)).toMatchObject({ probe: 'postgres', kind: 'auth', auth: 'wrong-password', user: 'app', database: 'appdb' });
  });

  it('gives up (hopeless) once a wrong password has persisted for the grace period', async () => {
    const probe = createProbe(postgres({ password: 'wrong-pg-pass-0000' }), { authGraceMs: 300 });
    const started = performance.now();
    const error = await waitReady(probe, target('postgres'), { timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProbeGaveUpError);
    expect(error).toMatchObject({ reason: 'hopeless' });
    expect((error as ProbeGaveUpError).attempts).toBeGreaterThan(1);
    expect((error as ProbeGaveUpError).lastError).toContain('password authentication failed for user "app"');
    expect((error as ProbeGaveUpError).lastFailure).toMatchObject({ kind: 'auth', auth: 'wrong-password' });
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('reports an unknown database and an unknown role', async () => {
    await expect(createProbe(postgres({ database: 'nope' })).check(target('postgres'), signal())).rejects.toThrow('database "nope" does not exist');
    const unknownDb = await createProbe(postgres({ database: 'nope' })).check(target('postgres'), signal()).catch((e: unknown) => e);
    expect(probeFailureOf(unknownDb)).toMatchObject({ kind: 'auth', auth: 'unknown-database', database: 'nope' });
    await expect(createProbe(postgres({ user: 'ghost' })).check(target('postgres'), signal())).rejects.toThrow(
      'password authentication failed for user "ghost"',
    );
  });
});

describe('redis probe', () => {
  it('AUTH + PING answers PONG with the right password', async () => {
    await createProbe({ kind: 'redis', port: 6379, password: REDIS_PASSWORD }).check(target('redis'), signal());
  });

  it('a wrong password surfaces WRONGPASS, never the password', async () => {
    const error = await createProbe({ kind: 'redis', port: 6379, password: 'wrong-redis-pass-1' })
      .check(target('redis'), signal())
      .catch((e: unknown) => e);
    const port = target('redis').hostPort(6379);
    expect((error as Error).message).toBe(`redis 127.0.0.1:${port}: AUTH refused: WRONGPASS invalid username-password pair or user is disabled.`);
    expect((error as Error).message).not.toContain('wrong-redis-pass');
    expect(probeFailureOf(error)).toMatchObject({ probe: 'redis', kind: 'auth', auth: 'wrong-password' });
    expect(JSON.stringify(probeFailureOf(error))).not.toContain('wrong-redis-pass');
  });

  it('no password surfaces NOAUTH', async () => {
    const port = target('redis').hostPort(6379);
    await expect(createProbe({ kind: 'redis', port: 6379 }).check(target('redis'), signal())).rejects.toThrow(
      `redis 127.0.0.1:${port}: PING answered "NOAUTH Authentication required." instead of PONG (the server requires a password; the probe sends none)`,
    );
  });

  it('a missing password is final after the grace period', async () => {
    const error = await waitReady(createProbe({ kind: 'redis', port: 6379 }, { authGraceMs: 200 }), target('redis'), { timeoutMs: 20_000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProbeGaveUpError);
    expect((error as ProbeGaveUpError).lastError).toContain('NOAUTH');
    expect((error as ProbeGaveUpError).lastFailure).toMatchObject({ probe: 'redis', kind: 'auth', auth: 'password-required' });
  });
});

describe('tcp probe', () => {
  it('passes on a port something listens on', async () => {
    await createProbe({ kind: 'tcp', port: 5432 }).check(target('postgres'), signal());
  });

  it('fails on a published port nothing listens on (docker-proxy accepts, then closes)', async () => {
    const port = target('redis').hostPort(7000);
    expect(port).toBeGreaterThan(0);
    await expect(createProbe({ kind: 'tcp', port: 7000 }).check(target('redis'), signal())).rejects.toThrow(
      `tcp 127.0.0.1:${port}: connection accepted, then closed at once — nothing listens on container port 7000 yet`,
    );
  });

  it('is hopeless for a port that is not published', async () => {
    await expect(createProbe({ kind: 'tcp', port: 1234 }).check(target('redis'), signal())).rejects.toBeInstanceOf(HopelessProbeError);
  });
});

describe('exec and log probes', () => {
  it('exec passes on exit 0 and reports the exit code and output otherwise', async () => {
    await createProbe({ kind: 'exec', command: ['pg_isready', '-h', '127.0.0.1', '-U', 'app'] }).check(target('postgres'), signal());
    await expect(createProbe({ kind: 'exec', command: ['sh', '-c', 'echo "not yet" >&2; exit 3'] }).check(target('postgres'), signal())).rejects.toThrow(
      "`sh -c 'echo \"not yet\" >&2; exit 3'` exited with code 3: not yet",
    );
  });

  it('log matches a line of the container output', async () => {
    await createProbe({ kind: 'log', pattern: 'database system is ready to accept connections' }).check(target('postgres'), signal());
    await expect(createProbe({ kind: 'log', pattern: 'never printed' }).check(target('postgres'), signal())).rejects.toThrow(
      /^no output line matches \/never printed\/ yet \(\d+ lines so far, the last: ".+"\)$/,
    );
  });
});

describe('waitReady on the real engine', () => {
  it('stops as soon as the container exits, with its exit code and the last probe error', async () => {
    const crashing = await start('crashing', {
      command: ['sh', '-c', 'echo starting; sleep 0.5; echo "ModuleNotFoundError: No module named \'config\'" >&2; exit 2'],
      probePorts: [8000],
    });
    const started = performance.now();
    const error = await waitReady(createProbe({ kind: 'tcp', port: 8000 }), crashing, { timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProbeGaveUpError);
    expect(error).toBeInstanceOf(ProbeTimeoutError);
    const gaveUp = error as ProbeGaveUpError;
    expect(gaveUp.reason).toBe('exited');
    expect(gaveUp.container?.exitCode).toBe(2);
    expect(gaveUp.message).toMatch(/^crashing: gave up waiting after \d+ attempts: the container exited with code 2$/);
    // While the container lives, docker-proxy accepts and closes; once it is gone, the port refuses.
    expect(gaveUp.lastError).toMatch(/nothing listens on container port 8000|connection refused/);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(await runtime.logs(crashing.containerId, 10)).toContain("ModuleNotFoundError: No module named 'config'");
  });
});
