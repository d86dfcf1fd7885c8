import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Output } from '../../../src/cli/render/output.js';
import { createRenderer } from '../../../src/cli/render/renderer.js';
import { failureReport, upSummary } from '../../../src/cli/render/text.js';
import { stripAnsi } from '../../../src/cli/render/ansi.js';
import type { EngineEvent } from '../../../src/engine/events.js';
import type { UpResult } from '../../../src/engine/results.js';
import { Redactor } from '../../../src/secrets.js';
import { makeStack } from '../../support/stack-builder.js';

const SECRET = 's3cret-redis-pass';

function capture(tty: boolean, rows?: number): { out: Output; text: () => string } {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number; rows?: number };
  stream.isTTY = tty;
  stream.columns = 120;
  if (rows !== undefined) stream.rows = rows;
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { out: new Output(stream, new Redactor([SECRET]), { FORCE_COLOR: tty ? '1' : undefined }), text: () => text };
}

const stack = makeStack('demo', { db: { probe: true }, api: { probe: true, dependsOn: ['db'] } });
const t = 1_700_000_000_000;
const events: EngineEvent[] = [
  { type: 'service.phase', service: 'db', phase: 'waiting', at: t },
  { type: 'service.phase', service: 'api', phase: 'waiting', at: t },
  { type: 'service.phase', service: 'db', phase: 'starting', at: t + 10 },
  { type: 'service.phase', service: 'db', phase: 'probing', at: t + 20, detail: `redis AUTH ${SECRET}` },
  { type: 'service.probe', service: 'db', at: t + 30, attempt: 1, ok: false, error: `WRONGPASS for ${SECRET}` },
  { type: 'service.phase', service: 'db', phase: 'ready', at: t + 400 },
  { type: 'service.phase', service: 'api', phase: 'failed', at: t + 900, detail: 'exited' },
  { type: 'stack.done', at: t + 900, ok: false, durationMs: 900 },
];

describe('renderers', () => {
  it('json: one redacted EngineEvent per line', () => {
    const { out, text } = capture(false);
    const renderer = createRenderer('json', out, stack);
    for (const event of events) renderer.event(event);
    renderer.stop();
    const lines = text().trim().split('\n');
    expect(lines).toHaveLength(events.length);
    expect(JSON.parse(lines[3]!)).toEqual({ ...events[3], detail: 'redis AUTH ***' });
    expect(text()).not.toContain(SECRET);
  });

  it('plain: one line per transition, no initial waiting noise, redacted', () => {
    const { out, text } = capture(false);
    const renderer = createRenderer('auto', out, stack);
    for (const event of events) renderer.event(event);
    renderer.stop();
    const lines = text().trim().split('\n').map((line) => line.replace(/^\[\s*[\d.]+m?s\] /, ''));
    expect(lines).toEqual([
      '· db           starting',
      '· db           probing (redis AUTH ***)',
      '✔ db           ready',
      '✖ api          failed (exited)',
      'done: not ok',
    ]);
  });

  it('tty: redraws one row per service in place', () => {
    const { out, text } = capture(true);
    const renderer = createRenderer('auto', out, stack);
    for (const event of events) renderer.event(event);
    renderer.stop();
    expect(text()).toContain('\u001b[2A'); // cursor up over the two rows
    expect(text()).not.toContain(SECRET);
    const frames = stripAnsi(text()).split('\n').filter((line) => line.trim() !== '');
    const last = frames.slice(-2);
    expect(last[0]).toMatch(/^✔ db\s+ready\s+390ms/);
    expect(last[1]).toMatch(/^✖ api\s+failed/);
  });
});

describe('tty live view of a stack taller than the terminal', () => {
  const names = Array.from({ length: 200 }, (_, i) => `svc-${String(i).padStart(3, '0')}`);
  const big = makeStack('big', Object.fromEntries(names.map((name) => [name, { probe: true }])));
  const frames = (text: string): string[][] =>
    text
      .split(/\u001b\[\d+A/)
      .map((frame) => stripAnsi(frame).split('\n').filter((line) => line.trim() !== ''))
      .filter((frame) => frame.length > 0);

  it('draws at most one frame per 100 ms however many events arrive, each fitting the terminal', () => {
    const { out, text } = capture(true, 30);
    const renderer = createRenderer('tty', out, big);
    // 1,000 events in one go: the first draws, the rest wait for the next frame (or the last one).
    for (const phase of ['creating', 'starting', 'probing', 'ready', 'ready'] as const) {
      for (const service of names) renderer.event({ type: 'service.phase', service, phase, at: t });
    }
    renderer.event({ type: 'service.phase', service: 'svc-007', phase: 'failed', at: t, detail: 'exited' });
    renderer.stop();
    const drawn = frames(text());
    expect(drawn.length).toBeLessThanOrEqual(2);
    for (const frame of drawn) expect(frame.length).toBeLessThanOrEqual(28);
    const last = drawn.at(-1)!;
    expect(last[0]).toBe('200 services: 199 ready · 1 failed (199 not shown)');
    expect(last[1]).toMatch(/^✖ svc-007\s+failed/);
    expect(last).toHaveLength(2);
  });

  it('shows failed, then in-progress rows, and counts the rest', () => {
    const { out, text } = capture(true, 12);
    const renderer = createRenderer('tty', out, big);
    for (const service of names.slice(0, 20)) renderer.event({ type: 'service.phase', service, phase: 'probing', at: t });
    renderer.event({ type: 'service.phase', service: 'svc-150', phase: 'failed', at: t, detail: 'exited' });
    renderer.stop();
    const last = frames(text()).at(-1)!;
    expect(last).toHaveLength(10);
    expect(last[0]).toBe('200 services: 20 probing · 179 waiting · 1 failed (191 not shown)');
    // In the stack's order, the failed one among those in progress.
    expect(last.slice(1).map((line) => line.split(/\s+/)[1])).toEqual([...names.slice(0, 8), 'svc-150']);
  });
});

describe('summary text', () => {
  const result: UpResult = {
    stack: 'demo',
    ok: false,
    cancelled: false,
    noop: false,
    durationMs: 12_300,
    rolledBack: [],
    rollbackFailures: [],
    plan: { stack: 'demo', networks: [], volumes: [], services: [], orphans: [] },
    services: [
      { service: 'db', state: 'ready', action: 'create', cause: 'no container', containerName: 'demo-db', timings: { createMs: 100, startMs: 200, readyMs: 3000 }, attempts: 4, ports: [{ target: 5432, hostIp: '127.0.0.1', hostPort: 49153, protocol: 'tcp' }] },
      {
        service: 'cache',
        state: 'failed',
        action: 'create',
        cause: 'no container',
        containerName: 'demo-cache',
        timings: {},
        attempts: 9,
        ports: [],
        diagnosis: {
          service: 'cache',
          state: 'failed',
          container: { status: 'exited', exitCode: 1, oomKilled: false, restartCount: 0 },
          lastLogLines: ['FATAL boom'],
          probe: { attempts: 9, lastError: 'connection refused' },
          rootCause: { code: 'exited', summary: 'exited with code 1', hint: 'read the logs' },
        },
      },
      { service: 'api', state: 'blocked', blockedBy: 'cache', action: 'create', cause: 'no container', containerName: 'demo-api', timings: {}, attempts: 0, ports: [] },
    ],
  };

  it('lists every service with its state, and explains failures', () => {
    const p = new Output(new PassThrough(), new Redactor(), {}).paint;
    expect(upSummary(result, p)).toEqual([
      'stack demo: 1 ready, 1 failed, 1 blocked of 3 (12.3s)',
      '  ✔ db       ready             created: start 300ms, ready after 3.0s  127.0.0.1:49153',
      '  ✖ cache    failed            exited with code 1',
      '  ⊘ api      blocked by cache  not started',
    ]);
    expect(failureReport(result, p)).toEqual([
      '',
      '✖ cache failed — exited: exited with code 1',
      '    container: exited, exit code 1, not OOM-killed, 0 restarts',
      '    probe: 9 attempts, last error: connection refused',
      '    last log lines:',
      '      | FATAL boom',
      '    hint: read the logs',
      '',
      '⊘ api blocked by cache (not started)',
    ]);
  });
});
