/**
 * The reaper on the real engine: `stackctl up --ephemeral` is SIGKILLed while the copy starts and
 * after it is ready; within 10 s nothing of that copy is left — while a neighbouring copy, an
 * unlabelled container and a container that carries the victim's stack label but not the ephemeral
 * one are left exactly as they were.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, docker, dockerLines, purge, spawnStackctl, stackctl, uniqueName } from '../engine/cli.js';
import { copyObjects, jsonLines, msUntilGone, waitForLine } from './helpers.js';

const FIXTURE = path.join(ROOT, 'test/fixtures/ephemeral/stack.yaml');
const env = { EPH_PG_PASSWORD: randomBytes(12).toString('hex'), EPH_REDIS_PASSWORD: randomBytes(12).toString('hex') };
const neighbour = uniqueName('it-eph-neighbour');
const midStart = uniqueName('it-eph-midstart');
const afterReady = uniqueName('it-eph-ready');
const orphan = uniqueName('it-eph-orphan');
const unrelated = uniqueName('it-eph-unrelated');
const lookalike = uniqueName('it-eph-lookalike');

async function neighbourIntact(): Promise<string[]> {
  return dockerLines(['ps', '--filter', `label=io.stackctl.stack=${neighbour}`, '--filter', 'status=running', '--format', '{{.Names}}']);
}

beforeAll(async () => {
  const run = await stackctl(['up', '--ephemeral', '-p', neighbour, '--detach', '--ttl', '15m', '-f', FIXTURE, '--json'], env);
  expect(run.exitCode, run.stdout + run.stderr).toBe(0);
  await docker(['run', '-d', '--name', unrelated, '--network', 'none', 'debian:bookworm-slim', 'sleep', '600']);
  // Carries the victim's stack label but not io.stackctl.ephemeral: the reaper must not touch it.
  await docker(['run', '-d', '--name', lookalike, '--network', 'none', '--label', `io.stackctl.stack=${afterReady}`, 'debian:bookworm-slim', 'sleep', '600']);
}, 300_000);

afterAll(async () => {
  await stackctl(['down', '-p', neighbour], {});
  await docker(['rm', '-f', unrelated, lookalike]);
  for (const stack of [neighbour, midStart, afterReady, orphan]) await purge(stack);
});

describe('SIGKILL of `stackctl up --ephemeral`', () => {
  it('mid-start: the reaper removes the half-started copy within 10 s', { timeout: 180_000 }, async () => {
    const before = await neighbourIntact();
    expect(before).toHaveLength(3); // postgres, redis, the reaper
    const child = spawnStackctl(['up', '--ephemeral', '-p', midStart, '-f', FIXTURE, '--progress', 'plain'], env);
    // postgres started and initdb running: its network, volume and container exist, redis waits.
    await waitForLine(child, /postgres\s+probing/, 120_000);
    const present = await copyObjects(midStart);
    expect(present.some((object) => object.startsWith('container '))).toBe(true);
    expect(present.some((object) => object.startsWith('volume '))).toBe(true);
    expect(present.some((object) => object.startsWith('network '))).toBe(true);
    child.kill('SIGKILL');
    await child.catch(() => undefined);
    const ms = await msUntilGone(midStart, 15_000);
    console.info(`mid-start SIGKILL: copy gone after ${Math.round(ms)} ms`);
    expect(ms).toBeLessThan(10_000);
    expect(await neighbourIntact()).toEqual(before);
  });

  it('after ready: the reaper removes the held copy within 10 s; nothing else is touched', { timeout: 180_000 }, async () => {
    const before = await neighbourIntact();
    const child = spawnStackctl(['up', '--ephemeral', '-p', afterReady, '-f', FIXTURE, '--progress', 'plain'], env);
    await waitForLine(child, /^holding /, 150_000);
    expect((await copyObjects(afterReady)).filter((object) => object.startsWith('container '))).toHaveLength(3);
    child.kill('SIGKILL');
    await child.catch(() => undefined);
    const ms = await msUntilGone(afterReady, 15_000);
    console.info(`after-ready SIGKILL: copy gone after ${Math.round(ms)} ms`);
    expect(ms).toBeLessThan(10_000);
    expect(await neighbourIntact()).toEqual(before);
    const ready = await stackctl(['ps', '-p', neighbour, '-f', FIXTURE, '--json'], env);
    expect((JSON.parse(ready.stdout) as Array<{ readiness: string }>).map((row) => row.readiness)).toEqual(['ready', 'ready']);
    expect(await dockerLines(['ps', '--filter', `name=^${unrelated}$`, '--format', '{{.Names}}'])).toEqual([unrelated]);
    expect(await dockerLines(['ps', '--filter', `name=^${lookalike}$`, '--format', '{{.Names}}'])).toEqual([lookalike]);
  });

  it('gc removes a copy whose reaper is gone and keeps the live neighbour', { timeout: 180_000 }, async () => {
    const run = await stackctl(['up', '--ephemeral', '-p', orphan, '--detach', '-f', FIXTURE, '--json'], env);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(jsonLines(run.stdout, 'up.ephemeral')[0]).toMatchObject({ stack: orphan });
    // The reaper dies with the engine, or by hand: the copy is orphaned.
    await docker(['rm', '-f', `${orphan}-stackctl-reaper`]);
    const gc = await stackctl(['gc', '--orphan-grace', '0s', '--json'], {});
    expect(gc.exitCode, gc.stderr).toBe(0);
    const decisions = JSON.parse(gc.stdout) as Array<{ stack: string; action: string; reason: string; removed: boolean }>;
    expect(decisions.find((decision) => decision.stack === orphan)).toMatchObject({ action: 'remove', reason: 'orphaned', removed: true });
    expect(decisions.find((decision) => decision.stack === neighbour)).toMatchObject({ action: 'keep', reason: 'live', removed: false });
    expect(await copyObjects(orphan)).toEqual([]);
    expect(await neighbourIntact()).toHaveLength(3);
    expect(await dockerLines(['ps', '--filter', `name=^${lookalike}$`, '--format', '{{.Names}}'])).toEqual([lookalike]);
  });
});
