/**
 * What an engine fault leaves behind, and two actors on one stack, on the real engine — each with
 * its own project name and no fixed host ports, so nothing here touches the example stack:
 * - `up` after a container was left unstartable (its network was removed and made again, as an
 *   engine restart can leave it: the engine refuses with "network … not found") → the container is
 *   recreated, its named volume's data kept, and the run says why;
 * - two `up`s of one stack at once → the second waits, names the first (pid, command, since), then
 *   finds nothing to do; a third with a short --lock-timeout gives up with the holder named.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { readLockHolder, stackLockPaths } from '../../../src/engine/stack-lock.js';
import { spawnStackctl, stackctl } from './cli.js';

const env = { STACKCTL_NO_DAEMON: '1' };
const dirs: string[] = [];
const projects: string[] = [];

function stackDir(project: string, yaml: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'stackctl-faults-'));
  dirs.push(dir);
  projects.push(project);
  writeFileSync(path.join(dir, 'stack.yaml'), yaml);
  return path.join(dir, 'stack.yaml');
}

async function docker(...args: string[]): Promise<string> {
  return (await execa('docker', args)).stdout.trim();
}

function ndjson(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

afterAll(async () => {
  for (const [i, project] of projects.entries()) {
    await stackctl(['down', '-v', '-f', path.join(dirs[i]!, 'stack.yaml'), '-p', project], env);
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('up repairs a container the engine can no longer start', () => {
  it('recreates it with its volume kept, says why, and the service is ready', async () => {
    const project = `it-repair-${process.pid}`;
    const file = stackDir(
      project,
      [
        `name: ${project}`,
        'volumes: { data: {} }',
        'services:',
        '  keeper:',
        '    image: debian:bookworm-slim',
        `    command: [sh, -c, 'test -f /data/seed || head -c 12 /dev/urandom | od -An -tx1 | tr -d " \\n" > /data/seed; trap "exit 0" TERM; sleep infinity & wait']`,
        '    volumes: ["data:/data"]',
        '    readiness: { exec: [test, -s, /data/seed], timeout: 20s }',
        '',
      ].join('\n'),
    );
    const first = await stackctl(['up', '-f', file, '-p', project, '--progress', 'plain'], env);
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    const name = `${project}-keeper`;
    const id = await docker('inspect', '-f', '{{.Id}}', name);
    const seed = await docker('exec', name, 'cat', '/data/seed');
    expect(seed).toMatch(/^[0-9a-f]{24}$/);

    // What an engine restart can leave: a stopped container whose network is not the one it knew.
    await docker('stop', '-t', '1', name);
    await docker('network', 'rm', `${project}_default`);
    await docker('network', 'create', '--label', `io.stackctl.stack=${project}`, `${project}_default`);
    const refused = await execa('docker', ['start', name], { reject: false });
    expect(refused.stderr).toMatch(/network [0-9a-f]+ not found/);

    const repaired = await stackctl(['up', '-f', file, '-p', project, '--json'], env);
    expect(repaired.exitCode, repaired.stdout + repaired.stderr).toBe(0);
    const events = ndjson(repaired.stdout);
    expect(events).toContainEqual(expect.objectContaining({ type: 'service.repaired', service: 'keeper', containerName: name, engineError: expect.stringMatching(/^network [0-9a-f]+ not found$/) }));
    const result = events.find((event) => event.type === 'up.result') as { services: Array<Record<string, unknown>> };
    expect(result.services[0]).toMatchObject({ service: 'keeper', state: 'ready', action: 'recreate', cause: expect.stringMatching(/^stale engine state: network [0-9a-f]+ not found$/) });
    expect(await docker('inspect', '-f', '{{.Id}}', name)).not.toBe(id);
    // The named volume went with the new container: same data.
    expect(await docker('exec', name, 'cat', '/data/seed')).toBe(seed);
  }, 120_000);
});

describe('two ups of one stack at once', () => {
  it('the second waits for the first and says for whom; a third with a short --lock-timeout gives up naming it', async () => {
    const project = `it-lock-${process.pid}`;
    // The first `up` holds the lock until the test opens the gate: its service is ready only once
    // /gate/go exists, which the test creates after the second is waiting and the third gave up.
    const file = stackDir(
      project,
      [
        `name: ${project}`,
        'services:',
        '  slow:',
        '    image: debian:bookworm-slim',
        `    command: [sh, -c, 'trap "exit 0" TERM; sleep infinity & wait']`,
        '    volumes: ["./gate:/gate:ro"]',
        '    readiness: { exec: [test, -f, /gate/go], timeout: 2m }',
        '',
      ].join('\n'),
    );
    const gate = path.join(path.dirname(file), 'gate');
    mkdirSync(gate);
    const holderFile = stackLockPaths(project, process.env.DOCKER_HOST ? { engine: process.env.DOCKER_HOST } : {}).holderFile;
    const first = spawnStackctl(['up', '-f', file, '-p', project, '--progress', 'plain'], env);
    const deadline = Date.now() + 20_000;
    while (readLockHolder(holderFile)?.pid !== first.pid && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(readLockHolder(holderFile)).toMatchObject({ pid: first.pid, command: `stackctl up -f ${file} -p ${project} --progress plain` });

    const secondChild = spawnStackctl(['up', '-f', file, '-p', project, '--json'], env);
    const secondWaits = new Promise<void>((resolve) => {
      let seen = '';
      secondChild.stdout?.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('"lock.waiting"')) resolve();
      });
    });
    const third = await stackctl(['up', '-f', file, '-p', project, '--lock-timeout', '1s'], env);
    await Promise.race([secondWaits, secondChild]); // a second that never waits fails the assertions below
    writeFileSync(path.join(gate, 'go'), '');
    const secondResult = await secondChild;
    const second = { exitCode: secondResult.exitCode, stdout: String(secondResult.stdout), stderr: String(secondResult.stderr) };
    const firstResult = await first;
    expect(firstResult.exitCode, String(firstResult.stdout) + String(firstResult.stderr)).toBe(0);

    // The third gave up after 1 s, naming the first, and did nothing.
    expect(third.exitCode).toBe(1);
    expect(third.stderr).toContain(`stack "${project}" is busy: pid ${first.pid} (\`stackctl up -f ${file} -p ${project} --progress plain\`), since `);
    expect(third.stderr).toMatch(new RegExp(`another stackctl is acting on stack "${project}": pid ${first.pid} .*gave up waiting after 1s`));

    // The second waited (ndjson says for whom), then found the stack up: nothing left to do.
    expect(second.exitCode, second.stdout + second.stderr).toBe(0);
    const events = ndjson(second.stdout);
    expect(events[0]).toMatchObject({ type: 'lock.waiting', stack: project, holder: { pid: first.pid, command: expect.stringContaining('stackctl up') }, timeoutMs: 600_000 });
    const acquired = events.find((event) => event.type === 'lock.acquired') as { waitedMs: number } | undefined;
    expect(acquired?.waitedMs).toBeGreaterThan(0);
    expect(events.find((event) => event.type === 'up.result')).toMatchObject({ ok: true, noop: true });
    expect((await docker('ps', '-a', '--filter', `label=io.stackctl.stack=${project}`, '--format', '{{.Names}}')).split('\n')).toEqual([`${project}-slow`]);
  }, 120_000);
});
