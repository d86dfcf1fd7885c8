import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { Redactor } from '../../../src/secrets.js';
import { startApiServer, type ActionRequest, type ApiServer, type DaemonBackend } from '../../../src/daemon/api-server.js';
import type { DaemonEventRecord, DaemonStatus, LogLine } from '../../../src/daemon/api-types.js';
import { connectDaemon, findDaemon } from '../../../src/daemon/client.js';
import { DaemonAlreadyRunningError, DaemonAuthError, DaemonBusyError } from '../../../src/daemon/errors.js';
import { acquireDaemonLock, writeDaemonInfo } from '../../../src/daemon/lock.js';
import { daemonPaths } from '../../../src/daemon/paths.js';
import { RingBuffer } from '../../../src/daemon/ring-buffer.js';
import { SseParser, formatSse } from '../../../src/daemon/sse.js';

const SECRET = 's3cret-redis-password';

/** A backend with canned state; records the actions it was asked for. */
class FakeBackend implements DaemonBackend {
  readonly events = new RingBuffer<DaemonEventRecord>(5);
  private nextId = 1;
  private readonly listeners = new Set<(r: DaemonEventRecord) => void>();
  private readonly logListeners = new Set<(l: LogLine) => void>();
  readonly actions: ActionRequest[] = [];
  busy = false;

  ping() {
    return { ok: true as const, stack: 'demo', pid: process.pid, version: 'test', api: 'v1' as const };
  }

  status(): DaemonStatus {
    return {
      stack: 'demo',
      file: '/x/stack.yaml',
      pid: process.pid,
      version: 'test',
      startedAt: new Date(0).toISOString(),
      uptimeMs: 1,
      phase: 'supervising',
      supervising: true,
      engine: { answering: true },
      memory: { rssBytes: 1, heapUsedBytes: 1 },
      services: [
        {
          name: 'redis',
          state: 'ready',
          reason: `redis://:${SECRET}@redis:6379 answered`,
          since: new Date(0).toISOString(),
          ready: true,
          degradedBy: [],
          restartPolicy: 'always',
          restarts: 0,
          failuresInARow: 0,
        },
      ],
    };
  }

  service(name: string) {
    return this.status().services.find((s) => s.name === name);
  }

  emit(message: string): DaemonEventRecord {
    const record: DaemonEventRecord = {
      id: this.nextId++,
      at: new Date().toISOString(),
      event: { type: 'daemon.phase', at: Date.now(), phase: 'supervising', detail: message },
    };
    this.events.push(record);
    for (const l of this.listeners) l(record);
    return record;
  }

  eventsSince(id: number) {
    return this.events.toArray().filter((r) => r.id > id);
  }

  subscribeEvents(listener: (r: DaemonEventRecord) => void) {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  async logs(services: string[], tail: number): Promise<LogLine[]> {
    for (const s of services) if (s !== 'redis') throw new UsageError(`unknown service "${s}"`);
    return [
      { service: 'redis', at: 'now', line: 'one' },
      { service: 'redis', at: 'now', line: `two ${SECRET}` },
    ].slice(tail === 0 ? 2 : -tail);
  }

  subscribeLogs(_services: string[], listener: (l: LogLine) => void) {
    this.logListeners.add(listener);
    return () => void this.logListeners.delete(listener);
  }

  log(line: string): void {
    for (const l of this.logListeners) l({ service: 'redis', at: 'now', line });
  }

  get logSubscribers(): number {
    return this.logListeners.size;
  }

  async act(request: ActionRequest) {
    if (this.busy) throw new DaemonBusyError('the daemon is busy with "up"', { hint: 'wait for it' });
    this.actions.push(request);
    return { action: request.action, ok: true, durationMs: 1, message: 'done' };
  }
}

let dir: string;
let backend: FakeBackend;
let server: ApiServer;
const token = 'correct-horse-battery-staple';

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'stackctl-api-'));
  backend = new FakeBackend();
  server = await startApiServer({
    socketPath: daemonPaths(dir, 'demo').socket,
    tcp: { host: '127.0.0.1', port: 0, token },
    backend,
    redactor: new Redactor([SECRET]),
    heartbeatMs: 50,
  });
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('API server and client', () => {
  it('listens on .stackctl/<stack>.sock with mode 0600', () => {
    expect(server.socketPath).toBe(path.join(dir, '.stackctl', 'demo.sock'));
    const mode = statSync(server.socketPath).mode & 0o777;
    expect(mode.toString(8)).toBe('600');
  });

  it('is found by findDaemon and serves the status, with secrets redacted', async () => {
    const client = await findDaemon(dir, 'demo');
    expect(client).toBeDefined();
    const status = await client?.status();
    expect(status?.services[0]?.name).toBe('redis');
    expect(JSON.stringify(status)).not.toContain(SECRET);
    expect(status?.services[0]?.reason).toBe('redis://:***@redis:6379 answered');
  });

  it('findDaemon says "none" for a missing socket and for a stale one left by a killed daemon', async () => {
    const other = mkdtempSync(path.join(tmpdir(), 'stackctl-api-none-'));
    try {
      expect(await findDaemon(other, 'demo')).toBeUndefined();
      // A socket file nobody listens on: what a SIGKILLed daemon leaves behind.
      const stale = daemonPaths(other, 'demo').socket;
      mkdirSync(path.dirname(stale), { recursive: true });
      const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => console.log('up'));`]);
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      expect(statSync(stale).isSocket()).toBe(true);
      const started = Date.now();
      expect(await findDaemon(other, 'demo')).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('on TCP, accepts the right bearer token and refuses a wrong or missing one', async () => {
    const url = `http://${server.tcpAddress}`;
    expect((await connectDaemon({ url, token }).ping()).stack).toBe('demo');
    await expect(connectDaemon({ url, token: 'wrong' }).status()).rejects.toBeInstanceOf(DaemonAuthError);
    await expect(connectDaemon({ url, token: 'wrong' }).restart('redis')).rejects.toThrow(/missing or wrong bearer token/);
    const res = await fetch(`${url}/v1/status`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await res.json()).toMatchObject({ error: 'E_DAEMON_AUTH' });
    // The refused requests did nothing.
    expect(backend.actions).toEqual([]);
  });

  it('refuses to listen beyond loopback', async () => {
    const other = mkdtempSync(path.join(tmpdir(), 'stackctl-api-lo-'));
    try {
      await expect(
        startApiServer({
          socketPath: daemonPaths(other, 'x').socket,
          tcp: { host: '0.0.0.0', port: 0, token },
          backend,
          redactor: new Redactor(),
        }),
      ).rejects.toThrow(/loopback/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('runs actions, maps unknown services to a usage error and a busy daemon to 409', async () => {
    const client = connectDaemon({ socketPath: server.socketPath });
    expect(await client.restart('redis')).toMatchObject({ action: 'restart', ok: true });
    await client.down({ volumes: true, exit: true });
    await client.test({ baseline: '/abs/report.json', failOnRegression: true });
    expect(backend.actions).toEqual([
      { action: 'restart', service: 'redis' },
      { action: 'down', volumes: true, exit: true },
      { action: 'test', options: { baseline: '/abs/report.json', failOnRegression: true } },
    ]);
    await expect(client.restart('nope')).rejects.toThrow(/unknown service "nope"/);
    await expect(client.restart('nope')).rejects.toBeInstanceOf(UsageError);
    backend.busy = true;
    try {
      await expect(client.up()).rejects.toBeInstanceOf(DaemonBusyError);
    } finally {
      backend.busy = false;
    }
    const res = await fetch(`http://${server.tcpAddress}/v1/up`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(405);
  });

  it('streams events over SSE, replaying what the ring buffer still holds after Last-Event-ID', async () => {
    const client = connectDaemon({ socketPath: server.socketPath });
    const first = backend.emit('a');
    backend.emit('b');
    backend.emit('c');
    const received: DaemonEventRecord[] = [];
    const controller = new AbortController();
    let subscribed!: () => void;
    const subscription = new Promise<void>((resolve) => (subscribed = resolve));
    const done = client.events(
      (record) => {
        received.push(record);
        if (received.length === 3) controller.abort();
      },
      { signal: controller.signal, since: first.id, onSubscribed: subscribed },
    );
    // Live event after the replay.
    await subscription;
    backend.emit('d');
    await done;
    expect(received.map((r) => r.event.type === 'daemon.phase' && r.event.detail)).toEqual(['b', 'c', 'd']);
    expect(received.map((r) => r.id)).toEqual([first.id + 1, first.id + 2, first.id + 3]);
  });

  it('serves log lines, redacted, and follows new ones until the client goes away', async () => {
    const client = connectDaemon({ socketPath: server.socketPath });
    const lines: string[] = [];
    await client.logs({ services: ['redis'], tail: 5 }, (l) => lines.push(l.line));
    expect(lines).toEqual(['one', 'two ***']);
    await expect(client.logs({ services: ['nope'] }, () => {})).rejects.toThrow(/unknown service/);

    const followed: string[] = [];
    const controller = new AbortController();
    let subscribed!: () => void;
    const subscription = new Promise<void>((resolve) => (subscribed = resolve));
    const done = client.logs({ services: ['redis'], tail: 0, follow: true }, (l) => {
      followed.push(l.line);
      if (followed.length === 1) controller.abort();
    }, { signal: controller.signal, onSubscribed: subscribed });
    await subscription;
    backend.log(`live ${SECRET}`);
    await done;
    expect(followed).toEqual(['live ***']);
    await vi.waitFor(() => expect(backend.logSubscribers).toBe(0));
  });

  it("rejects with the caller's exception instead of swallowing it", async () => {
    const client = connectDaemon({ socketPath: server.socketPath });
    backend.emit('boom');
    const thrown = new Error('the caller failed');
    await expect(client.events(() => { throw thrown; }, { since: 0 })).rejects.toBe(thrown);
    await expect(client.logs({ services: ['redis'], tail: 5 }, () => { throw thrown; })).rejects.toBe(thrown);
  });
});

describe('single-instance lock', () => {
  let lockDir: string;
  afterEach(() => rmSync(lockDir, { recursive: true, force: true }));

  it('refuses a second daemon for the same stack with a clear message, allows another stack', async () => {
    lockDir = mkdtempSync(path.join(tmpdir(), 'stackctl-lock-'));
    const paths = daemonPaths(lockDir, 'demo');
    const lock = await acquireDaemonLock('demo', paths);
    writeDaemonInfo(paths.info, {
      pid: 4242,
      stack: 'demo',
      stackDir: lockDir,
      stackFile: path.join(lockDir, 'stack.yaml'),
      socket: paths.socket,
      startedAt: '2025-01-01T00:00:00.000Z',
      version: 'test',
    });
    try {
      const second = acquireDaemonLock('demo', paths);
      await expect(second).rejects.toBeInstanceOf(DaemonAlreadyRunningError);
      await expect(acquireDaemonLock('demo', paths)).rejects.toThrow(
        /a daemon is already supervising stack "demo" \(pid 4242, started 2025-01-01T00:00:00.000Z, socket .*demo\.sock\)/,
      );
      const err: unknown = await acquireDaemonLock('demo', paths).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DaemonAlreadyRunningError);
      expect((err as DaemonAlreadyRunningError).hint).toContain('kill 4242');
      const otherStack = await acquireDaemonLock('other', daemonPaths(lockDir, 'other'));
      otherStack.release();
    } finally {
      lock.release();
    }
    await new Promise((r) => setTimeout(r, 20));
    (await acquireDaemonLock('demo', paths)).release();
  });

  it('is released by the kernel when its holder is SIGKILLed', async () => {
    lockDir = mkdtempSync(path.join(tmpdir(), 'stackctl-lock-kill-'));
    const paths = daemonPaths(lockDir, 'demo');
    // A separate process takes the lock the way lock.ts does, then is killed without any cleanup.
    const child = spawn(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(paths.lockName)}, () => console.log('locked'));`,
    ]);
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    await expect(acquireDaemonLock('demo', paths)).rejects.toBeInstanceOf(DaemonAlreadyRunningError);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    (await acquireDaemonLock('demo', paths)).release();
  });
});

describe('SSE framing', () => {
  it('round-trips messages split at any point, ignoring heartbeats', () => {
    const out: string[] = [];
    const parser = new SseParser((m) => out.push(`${m.id}|${m.event}|${m.data}`));
    const text = `${formatSse({ id: '1', event: 'x', data: '{"a":1}' })}: ping\n\n${formatSse({ id: '2', data: 'two\nlines' })}`;
    for (let i = 0; i < text.length; i += 3) parser.push(text.slice(i, i + 3));
    expect(out).toEqual(['1|x|{"a":1}', '2|undefined|two\nlines']);
  });

  it('ring buffer keeps only the newest items', () => {
    const ring = new RingBuffer<number>(3);
    for (let i = 1; i <= 5; i += 1) ring.push(i);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.last(2)).toEqual([4, 5]);
    expect(ring.totalPushed).toBe(5);
  });
});
