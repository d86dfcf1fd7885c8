/**
 * `stackctl watch` on the real engine, over test/fixtures/watch (api: sync+restart on app/,
 * rebuild on its Dockerfile; web: depends on api, implicit rebuild rule on its context):
 *  - editing app/VERSION syncs it, restarts api (same container), and web is re-probed ready;
 *  - editing api's Dockerfile rebuilds api's image only, replaces api, keeps web's container;
 *  - a Dockerfile syntax error keeps the old api container serving and names the Dockerfile line;
 *  - editing a file outside every context (or an ignored one) does nothing.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, stackctl, uniqueName } from '../engine/cli.js';

const PROJECT = uniqueName('it-watch');
const env = { STACKCTL_NO_DAEMON: '1', STACKCTL_PROJECT_NAME: PROJECT };
let dir: string;
let child: ResultPromise;
const events: Array<Record<string, unknown>> = [];
let seen = 0;

/** Resolves with the first event (after the last one consumed) that matches. */
async function nextEvent(match: (event: Record<string, unknown>) => boolean, timeoutMs = 90_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (; seen < events.length; seen += 1) {
      const event = events[seen]!;
      if (match(event)) {
        seen += 1;
        return event;
      }
    }
    if (Date.now() > deadline) throw new Error(`no matching watch event within ${timeoutMs} ms; got:\n${events.map((e) => JSON.stringify(e)).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function container(service: string): Promise<{ id: string; startedAt: string; image: string; port: string }> {
  const { stdout } = await execa('docker', ['inspect', '--format', '{{.Id}} {{.State.StartedAt}} {{.Image}}', `${PROJECT}-${service}`]);
  const [id = '', startedAt = '', image = ''] = stdout.trim().split(' ');
  const ports = await execa('docker', ['port', `${PROJECT}-${service}`]);
  return { id, startedAt, image, port: ports.stdout.split('\n')[0]!.split(' -> ')[1]! };
}

async function get(service: string, urlPath: string): Promise<string> {
  const { port } = await container(service);
  const response = await fetch(`http://${port}${urlPath}`);
  return `${response.status} ${await response.text()}`;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'stackctl-watch-it-'));
  cpSync(path.join(ROOT, 'test/fixtures/watch'), dir, { recursive: true });
  child = execa('node', [BIN, 'watch', '--json', '--debounce', '150'], { cwd: dir, env: { ...env, NO_COLOR: '1' }, extendEnv: true, reject: false });
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as Record<string, unknown>);
  });
  await nextEvent((event) => event.type === 'watch.started', 300_000);
}, 320_000);

afterAll(async () => {
  child?.kill('SIGINT');
  await child;
  await stackctl(['down', '-v', '-f', path.join(dir, 'stack.yaml')], env);
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('stackctl watch', () => {
  it('started the stack and watches the rules of stack.yaml and the implicit one of web', () => {
    const started = events.find((event) => event.type === 'watch.started') as { services: Array<{ service: string; rules: Array<{ action: string }> }> };
    expect(started.services.map((s) => `${s.service}:${s.rules.map((r) => r.action).join('+')}`)).toEqual(['api:sync+restart+rebuild', 'web:rebuild']);
    expect(events.some((event) => event.type === 'stack.done' && event.ok === true)).toBe(true);
  });

  it('sync+restart: the edited file is served after a restart of the same container, and web is re-probed ready', async () => {
    const before = { api: await container('api'), web: await container('web') };
    expect(await get('api', '/version')).toBe('200 v1');
    writeFileSync(path.join(dir, 'api/app/VERSION'), 'v2\n');
    expect(await nextEvent((e) => e.type === 'watch.change')).toMatchObject({ service: 'api', action: 'sync+restart', files: ['VERSION'] });
    expect(await nextEvent((e) => e.type === 'watch.synced')).toMatchObject({ service: 'api', files: 1 });
    const applied = await nextEvent((e) => e.type === 'watch.applied');
    expect(applied).toMatchObject({ ok: true, failed: [] });
    expect(applied.ready).toEqual(['api', 'web']);
    const after = { api: await container('api'), web: await container('web') };
    expect(after.api.id).toBe(before.api.id);
    expect(after.api.startedAt).not.toBe(before.api.startedAt);
    expect(after.web.id).toBe(before.web.id);
    expect(after.api.image).toBe(before.api.image);
    expect(await get('api', '/version')).toBe('200 v2');
    expect(await get('web', '/ready')).toBe('200 ok');
  });

  it('rebuild: only api is rebuilt and replaced; web keeps its container and is re-probed', async () => {
    const before = { api: await container('api'), web: await container('web') };
    const dockerfile = path.join(dir, 'api/Dockerfile');
    writeFileSync(dockerfile, readFileSync(dockerfile, 'utf8').replace('ENV PYTHONUNBUFFERED=1', 'ENV PYTHONUNBUFFERED=1 EDITED=1'));
    expect(await nextEvent((e) => e.type === 'watch.change')).toMatchObject({ service: 'api', action: 'rebuild', files: ['Dockerfile'] });
    const applied = await nextEvent((e) => e.type === 'watch.applied');
    expect(applied).toMatchObject({ ok: true, failed: [] });
    const after = { api: await container('api'), web: await container('web') };
    expect(after.api.id).not.toBe(before.api.id);
    expect(after.api.image).not.toBe(before.api.image);
    expect(after.web.id).toBe(before.web.id);
    expect(after.web.image).toBe(before.web.image);
    const builds = events.slice(events.indexOf(applied) - 40).filter((e) => e.type === 'service.phase' && e.phase === 'building');
    expect(builds.map((e) => e.service)).not.toContain('web');
    expect(await get('web', '/ready')).toBe('200 ok');
  });

  it('a syntax error in the Dockerfile keeps the old container serving and names the line', async () => {
    const before = await container('api');
    const dockerfile = path.join(dir, 'api/Dockerfile');
    const good = readFileSync(dockerfile, 'utf8');
    writeFileSync(dockerfile, good.replace('WORKDIR /app', 'WORKDIR /app\nNOT_AN_INSTRUCTION here'));
    const failed = await nextEvent((e) => e.type === 'watch.build-failed');
    expect(failed).toMatchObject({ service: 'api', location: { file: dockerfile, line: 5 } });
    expect(await nextEvent((e) => e.type === 'watch.applied')).toMatchObject({ ok: false, failed: [], kept: ['api', 'web'] });
    expect((await container('api')).id).toBe(before.id);
    expect(await get('api', '/version')).toBe('200 v2');
    writeFileSync(dockerfile, good);
    expect(await nextEvent((e) => e.type === 'watch.applied')).toMatchObject({ ok: true });
  });

  it('a file outside every context, or one a rule ignores, changes nothing', async () => {
    const count = events.length;
    writeFileSync(path.join(dir, 'NOTES.txt'), 'not part of any service\n');
    writeFileSync(path.join(dir, 'api/app/scratch.tmp'), 'ignored by the rule\n');
    writeFileSync(path.join(dir, 'api/README.md'), 'excluded by api/.dockerignore\n');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(events.slice(count).filter((e) => String(e.type).startsWith('watch.'))).toEqual([]);
  });
});
