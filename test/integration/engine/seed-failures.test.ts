/**
 * The seed's start-up failures reproduced on the real engine and diagnosed by `stackctl up`
 * (test/fixtures/engine/seed-failures/stack.yaml):
 *  - platform-services' REDIS_URL lacks REDIS_PASSWORD → NOAUTH → root cause redis-auth, and
 *    saga-orchestrator (depends on it) blocked by it;
 *  - no-common's image lacks pyairtable-common → `No module named 'config'` → module-not-found, and
 *    mcp-server blocked by it;
 *  - postgres and redis, on independent branches, still end ready.
 * Then --rollback removes what the run created, and a Ctrl-C leaves a consistent stack.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, dockerLines, labelled, purge, resultLine, spawnStackctl, stackctl, uniqueName } from './cli.js';

const FILE = 'test/fixtures/engine/seed-failures/stack.yaml';
const project = uniqueName('it-engine-seed');
const env: Record<string, string> = {
  STACKCTL_PROJECT_NAME: project,
  FIXTURE_POSTGRES_PASSWORD: randomBytes(12).toString('hex'),
  FIXTURE_REDIS_PASSWORD: randomBytes(12).toString('hex'),
  FIXTURE_API_KEY: randomBytes(12).toString('hex'),
  FIXTURE_JWT_SECRET: randomBytes(12).toString('hex'),
};

interface ServiceLine {
  service: string;
  state: string;
  blockedBy?: string;
  diagnosis?: {
    rootCause: { code: string; summary: string; hint: string; evidence?: string };
    container?: { status: string; exitCode?: number };
    probe?: { attempts: number; lastError?: string };
    lastLogLines: string[];
  };
}

beforeAll(async () => {
});

afterAll(async () => {
  await purge(project);
  rmSync(path.join(ROOT, 'test/fixtures/engine/seed-failures/.stackctl'), { recursive: true, force: true });
});

describe('seed failures, diagnosed by stackctl up', () => {
  let services: Map<string, ServiceLine>;
  let stdout = '';

  it('exits 1 with a classified root cause per failed service and its dependents blocked', { timeout: 600_000 }, async () => {
    const run = await stackctl(['up', '-f', FILE, '--json'], env);
    stdout = run.stdout;
    expect(run.exitCode, run.stderr).toBe(1);
    const result = resultLine(run.stdout);
    expect(result.ok).toBe(false);
    services = new Map((result.services as unknown as ServiceLine[]).map((s) => [s.service, s]));
    const states = Object.fromEntries([...services.values()].map((s) => [s.service, s.blockedBy ? `${s.state} by ${s.blockedBy}` : s.state]));
    expect(states).toEqual({
      postgres: 'ready',
      redis: 'ready',
      'platform-services': 'failed',
      'saga-orchestrator': 'blocked by platform-services',
      'no-common': 'failed',
      'mcp-server': 'blocked by no-common',
    });
  });

  it('platform-services: NOAUTH → redis-auth, with the probe error and a hint naming REDIS_URL', () => {
    const diagnosis = services.get('platform-services')!.diagnosis!;
    expect(diagnosis.rootCause.code).toBe('redis-auth');
    expect(diagnosis.rootCause.hint).toContain('REDIS_URL');
    expect(diagnosis.probe?.lastError).toMatch(/503/);
    expect(diagnosis.probe?.lastError).toMatch(/Authentication required/);
    expect(diagnosis.container?.status).toBe('running');
  });

  it("no-common: the image lacks `config` → module-not-found, exit code 1, the traceback in the logs", () => {
    const diagnosis = services.get('no-common')!.diagnosis!;
    expect(diagnosis.rootCause.code).toBe('module-not-found');
    expect(diagnosis.rootCause.summary).toContain("No module named 'config'");
    expect(diagnosis.container).toMatchObject({ status: 'exited', exitCode: 1 });
    expect(diagnosis.lastLogLines.at(-1)).toBe("ModuleNotFoundError: No module named 'config'");
  });

  it('blocked services name the root failure and were never started', async () => {
    expect(services.get('saga-orchestrator')!.diagnosis?.rootCause.summary).toMatch(/^blocked by platform-services/);
    expect(services.get('mcp-server')!.diagnosis?.rootCause.summary).toMatch(/^blocked by no-common/);
    const states = await dockerLines(['ps', '-a', '--filter', `label=io.stackctl.stack=${project}`, '--format', '{{.Names}} {{.State}}']);
    expect(states.sort()).toEqual([
      `${project}-mcp-server created`,
      `${project}-no-common exited`,
      `${project}-platform-services running`,
      `${project}-postgres running`,
      `${project}-redis running`,
      `${project}-saga-orchestrator created`,
    ]);
  });

  it('the events stream announces the failure before the blocks, and no secret is printed', () => {
    const events = stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; service?: string });
    const order = events.filter((e) => e.type === 'service.failed' || e.type === 'service.blocked').map((e) => `${e.type}:${e.service}`);
    expect(order.indexOf('service.failed:no-common')).toBeLessThan(order.indexOf('service.blocked:mcp-server'));
    expect(order.indexOf('service.failed:platform-services')).toBeLessThan(order.indexOf('service.blocked:saga-orchestrator'));
    for (const secret of Object.values(env).slice(1)) expect(stdout).not.toContain(secret);
  });

  it('the human output explains each failure and says the stack was left for debugging', { timeout: 600_000 }, async () => {
    // Second run: the failed services are retried (start/recreate), the rest kept.
    const run = await stackctl(['up', '-f', FILE, '--progress', 'plain', '--timeout', '60s'], env);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('✖ platform-services failed — redis-auth:');
    expect(run.stdout).toContain('✖ no-common failed — module-not-found:');
    expect(run.stdout).toContain('⊘ saga-orchestrator blocked by platform-services (not started)');
    expect(run.stdout).toContain('The stack was left as it is for debugging');
  });

  it('--rollback removes what the run created and leaves what it found', { timeout: 600_000 }, async () => {
    await stackctl(['down', '-f', FILE], env);
    const run = await stackctl(['up', '-f', FILE, '--json', '--rollback'], env);
    expect(run.exitCode).toBe(1);
    const result = resultLine(run.stdout);
    expect(result.rolledBack).toEqual(expect.arrayContaining([`container ${project}-postgres`, `container ${project}-no-common`, `network ${project}_default`]));
    const left = await labelled(project);
    expect(left.containers).toEqual([]);
    expect(left.networks).toEqual([]);
    // The volume existed before this run (down without -v kept it): not this run's to remove.
    expect(left.volumes).toEqual([`${project}_postgres-data`]);
  });

  it('Ctrl-C during up stops scheduling, exits 130 and lists what is running', { timeout: 600_000 }, async () => {
    const child = spawnStackctl(['up', '-f', FILE, '--progress', 'plain'], env);
    let seen = '';
    await new Promise<void>((resolve) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        // Interrupt once redis is ready and platform-services is still on its way.
        if (/✔ redis\s+ready/.test(seen)) resolve();
      });
      void child.then(() => resolve());
    });
    child.kill('SIGINT');
    const result = await child;
    const out = String(result.stdout);
    expect(result.exitCode, out + String(result.stderr)).toBe(130);
    expect(String(result.stderr)).toContain('interrupted');
    expect(out).toMatch(/interrupted: nothing new was started after the interrupt; \d+ containers? of .* running now:/);
    expect(out).toContain(`  ${project}-redis`);
    // Consistent: every container that exists is labelled and adoptable; nothing half-removed.
    const left = await labelled(project);
    expect(left.containers).toContain(`${project}-redis`);
    const saga = await dockerLines(['ps', '-a', '--filter', `name=^${project}-saga-orchestrator$`, '--format', '{{.State}}']);
    expect(saga.filter((state) => state === 'running')).toEqual([]);
  });
});
