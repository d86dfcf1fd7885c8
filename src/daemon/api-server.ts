/**
 * The daemon's HTTP API, on a unix socket (mode 0600: the file's permissions are the access
 * control) and optionally on 127.0.0.1:PORT, where every request must carry
 * `Authorization: Bearer <token>`.
 *
 *   GET  /v1/ping                      liveness: stack, pid, version
 *   GET  /v1/status                    the daemon and every service (state, readiness, restarts, probes, diagnosis)
 *   GET  /v1/services/:name            one service
 *   GET  /v1/events                    server-sent events; replays from `Last-Event-ID` (or ?since=N) out of the ring buffer
 *   GET  /v1/logs?service=…&tail=N&follow=1   ndjson log lines {service, at, line}
 *   POST /v1/up                        bring the stack up (adopting what runs) and supervise it
 *   POST /v1/down   {volumes?, exit?}  stop supervising and bring the stack down; `exit` ends the daemon too
 *   POST /v1/services/:name/restart    restart one service now (a failed one gets a fresh budget)
 *   POST /v1/test                      run the integration suite and write the report
 *
 * Errors are JSON `{error, message, hint?}` with 400/401/404/405/409/500. Every body leaves through
 * the stack's Redactor. The server keeps no per-request state beyond open streams, which are capped.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { isStackctlError, errorMessage, UsageError } from '../errors.js';
import type { Redactor } from '../secrets.js';
import { API_VERSION, type TestRequest, type ActionResult, type ApiErrorBody, type DaemonEventRecord, type DaemonStatus, type LogLine, type PingResponse, type ServiceStatus } from './api-types.js';
import { DaemonBusyError } from './errors.js';
import { formatSse, SSE_HEARTBEAT } from './sse.js';

export type ActionRequest =
  | { action: 'up' }
  | { action: 'down'; volumes: boolean; exit: boolean }
  | { action: 'restart'; service: string }
  | { action: 'test'; options: TestRequest };

/** What the server needs from the daemon. */
export interface DaemonBackend {
  ping(): PingResponse;
  status(): DaemonStatus;
  service(name: string): ServiceStatus | undefined;
  /** Events after `id` still in the ring buffer (oldest first). */
  eventsSince(id: number): DaemonEventRecord[];
  subscribeEvents(listener: (record: DaemonEventRecord) => void): () => void;
  /** The last `tail` lines of each service (all when empty); throws UsageError for an unknown service. */
  logs(services: string[], tail: number): Promise<LogLine[]>;
  subscribeLogs(services: string[], listener: (line: LogLine) => void): () => void;
  act(request: ActionRequest): Promise<ActionResult>;
}

export interface ApiServerOptions {
  socketPath: string;
  /** Also listen on TCP (loopback only). Port 0 picks a free one. */
  tcp?: { host: string; port: number; token: string };
  backend: DaemonBackend;
  redactor: Redactor;
  /** Most concurrent streams (events + followed logs). */
  maxStreams?: number;
  heartbeatMs?: number;
  onError?: (error: unknown) => void;
}

export interface ApiServer {
  socketPath: string;
  /** `127.0.0.1:PORT` when listening on TCP. */
  tcpAddress?: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;
/** A stream client this far behind is dropped rather than buffered without bound. */
const MAX_STREAM_BACKLOG_BYTES = 1024 * 1024;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const streams = new Set<http.ServerResponse>();
  const maxStreams = options.maxStreams ?? 64;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const expectedToken = options.tcp ? digest(options.tcp.token) : undefined;

  const handler = (requireToken: boolean) => (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(req, res, requireToken).catch((error: unknown) => {
      options.onError?.(error);
      sendError(res, error);
    });
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, requireToken: boolean): Promise<void> {
    if (requireToken && !authorized(req.headers.authorization)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="stackctl"');
      throw new HttpError(401, 'E_DAEMON_AUTH', 'missing or wrong bearer token', 'send "Authorization: Bearer <token>" with the token from --token-file');
    }
    const url = new URL(req.url ?? '/', 'http://stackctl');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== API_VERSION) throw new HttpError(404, 'E_NOT_FOUND', `no such endpoint: ${url.pathname}`, `the API lives under /${API_VERSION}/`);
    const route = parts.slice(1);
    const method = req.method ?? 'GET';
    const is = (m: string, ...segments: string[]): boolean =>
      route.length === segments.length && segments.every((s, i) => s === '*' || s === route[i]) && (m === method || wrongMethod(m));
    let methodMismatch: string | undefined;
    function wrongMethod(m: string): boolean {
      methodMismatch = m;
      return false;
    }

    if (is('GET', 'ping')) return sendJson(res, 200, options.backend.ping());
    if (is('GET', 'status')) return sendJson(res, 200, options.backend.status());
    if (is('GET', 'services', '*')) {
      const service = options.backend.service(route[1] as string);
      if (!service) throw unknownService(route[1] as string);
      return sendJson(res, 200, service);
    }
    if (is('GET', 'events')) return streamEvents(req, res, url);
    if (is('GET', 'logs')) return serveLogs(req, res, url);
    if (is('POST', 'up')) {
      await readBody(req);
      return sendJson(res, 200, await options.backend.act({ action: 'up' }));
    }
    if (is('POST', 'down')) {
      const body = await readBody(req);
      return sendJson(res, 200, await options.backend.act({ action: 'down', volumes: body.volumes === true, exit: body.exit === true }));
    }
    if (is('POST', 'test')) {
      const body = await readBody(req);
      const request: TestRequest = {};
      if (typeof body.suite === 'string') request.suite = body.suite;
      if (typeof body.baseline === 'string') request.baseline = body.baseline;
      if (body.failOnRegression === true) request.failOnRegression = true;
      if (typeof body.outDir === 'string') request.outDir = body.outDir;
      if (typeof body.reportsDir === 'string') request.reportsDir = body.reportsDir;
      return sendJson(res, 200, await options.backend.act({ action: 'test', options: request }));
    }
    if (is('POST', 'services', '*', 'restart')) {
      await readBody(req);
      const name = route[1] as string;
      if (!options.backend.service(name)) throw unknownService(name);
      return sendJson(res, 200, await options.backend.act({ action: 'restart', service: name }));
    }
    if (methodMismatch) {
      res.setHeader('Allow', methodMismatch);
      throw new HttpError(405, 'E_METHOD', `${method} is not allowed on ${url.pathname} (use ${methodMismatch})`);
    }
    throw new HttpError(404, 'E_NOT_FOUND', `no such endpoint: ${method} ${url.pathname}`);
  }

  function unknownService(name: string): HttpError {
    const known = options.backend.status().services.map((s) => s.name);
    return new HttpError(404, 'E_USAGE', `unknown service "${name}"`, `services of this stack: ${known.join(', ')}`);
  }

  function authorized(header: string | undefined): boolean {
    if (!expectedToken || !header) return false;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return false;
    return timingSafeEqual(digest(match[1] as string), expectedToken);
  }

  function openStream(req: http.IncomingMessage, res: http.ServerResponse, contentType: string): boolean {
    if (streams.size >= maxStreams) {
      throw new HttpError(503, 'E_TOO_MANY_STREAMS', `too many open streams (${maxStreams}); close some and retry`);
    }
    res.writeHead(200, {
      'Content-Type': contentType,
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    streams.add(res);
    const done = (): void => void streams.delete(res);
    req.on('close', done);
    res.on('close', done);
    return true;
  }

  /** Writes, or drops the client when it lags too far behind (memory stays bounded). */
  function write(res: http.ServerResponse, text: string): void {
    if (res.destroyed || res.writableEnded) return;
    if (res.writableLength > MAX_STREAM_BACKLOG_BYTES) {
      res.destroy();
      return;
    }
    res.write(options.redactor.redact(text));
  }

  function streamEvents(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    const lastHeader = req.headers['last-event-id'];
    const since = Number.parseInt((Array.isArray(lastHeader) ? lastHeader[0] : lastHeader) ?? url.searchParams.get('since') ?? '', 10);
    openStream(req, res, 'text/event-stream; charset=utf-8');
    const send = (record: DaemonEventRecord): void =>
      write(res, formatSse({ id: String(record.id), event: record.event.type, data: JSON.stringify(record) }));
    // Subscribe first, then replay, skipping duplicates: nothing falls between the two.
    let replayedUpTo = -1;
    const pending: DaemonEventRecord[] = [];
    let replaying = true;
    const unsubscribe = options.backend.subscribeEvents((record) => {
      if (replaying) pending.push(record);
      else if (record.id > replayedUpTo) send(record);
    });
    if (Number.isInteger(since)) {
      for (const record of options.backend.eventsSince(since)) {
        send(record);
        replayedUpTo = record.id;
      }
    }
    replaying = false;
    for (const record of pending) if (record.id > replayedUpTo) send(record);
    write(res, SSE_HEARTBEAT);
    const heartbeat = setInterval(() => write(res, SSE_HEARTBEAT), heartbeatMs);
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  }

  async function serveLogs(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const services = url.searchParams.getAll('service').flatMap((s) => s.split(',')).filter(Boolean);
    const tailText = url.searchParams.get('tail');
    const tail = tailText === null || tailText === 'all' ? Number.MAX_SAFE_INTEGER : Number.parseInt(tailText, 10);
    if (!Number.isInteger(tail) || tail < 0) throw new HttpError(400, 'E_USAGE', `tail must be a non-negative integer or "all", got "${tailText}"`);
    const follow = ['1', 'true', 'yes'].includes(url.searchParams.get('follow') ?? '');
    const lines = await options.backend.logs(services, tail); // validates the service names
    if (!follow) {
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson; charset=utf-8' });
      res.end(options.redactor.redact(lines.map((line) => `${JSON.stringify(line)}\n`).join('')));
      return;
    }
    openStream(req, res, 'application/x-ndjson; charset=utf-8');
    for (const line of lines) write(res, `${JSON.stringify(line)}\n`);
    const unsubscribe = options.backend.subscribeLogs(services, (line) => write(res, `${JSON.stringify(line)}\n`));
    res.on('close', unsubscribe);
  }

  function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
    if (res.headersSent) return;
    const text = options.redactor.redact(JSON.stringify(body));
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  function sendError(res: http.ServerResponse, error: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    let status = 500;
    let body: ApiErrorBody;
    if (error instanceof HttpError) {
      status = error.status;
      body = { error: error.code, message: error.message, hint: error.hint };
    } else if (error instanceof DaemonBusyError) {
      status = 409;
      body = { error: error.code, message: error.message, hint: error.hint };
    } else if (error instanceof UsageError) {
      status = 400;
      body = { error: error.code, message: error.message, hint: error.hint };
    } else if (isStackctlError(error)) {
      body = { error: error.code, message: error.shortMessage, hint: error.hint };
    } else {
      body = { error: 'E_INTERNAL', message: `internal error in the daemon (a bug in stackctl, please report it): ${errorMessage(error)}` };
    }
    sendJson(res, status, body);
  }

  async function readBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
    let size = 0;
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) throw new HttpError(413, 'E_TOO_LARGE', `request body over ${MAX_BODY_BYTES} bytes`);
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8').trim();
    if (text === '') return {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // fall through
    }
    throw new HttpError(400, 'E_USAGE', 'the request body must be a JSON object');
  }

  // --- listeners -------------------------------------------------------------------------------

  const servers: http.Server[] = [];
  const unixServer = http.createServer(handler(false));
  await listenUnix(unixServer, options.socketPath);
  servers.push(unixServer);

  let tcpAddress: string | undefined;
  if (options.tcp) {
    if (!LOOPBACK.has(options.tcp.host)) {
      await closeServer(unixServer);
      throw new UsageError(`--listen must be a loopback address (127.0.0.1 or ::1), got ${options.tcp.host}`, {
        hint: 'the API can restart and stop containers: it is never exposed beyond this machine',
      });
    }
    const tcpServer = http.createServer(handler(true));
    await new Promise<void>((resolve, reject) => {
      tcpServer.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'EADDRINUSE'
            ? new UsageError(`--listen ${options.tcp?.host}:${options.tcp?.port}: the port is already in use`, { hint: 'pick another port, or 0 for a free one' })
            : error,
        );
      });
      tcpServer.listen(options.tcp?.port, options.tcp?.host, () => resolve());
    }).catch(async (error: unknown) => {
      await closeServer(unixServer);
      rmSync(options.socketPath, { force: true });
      throw error;
    });
    const address = tcpServer.address() as AddressInfo;
    tcpAddress = `${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    servers.push(tcpServer);
  }

  return {
    socketPath: options.socketPath,
    tcpAddress,
    async close(): Promise<void> {
      for (const res of streams) res.destroy();
      streams.clear();
      await Promise.all(servers.map((server) => closeServer(server)));
      rmSync(options.socketPath, { force: true });
    },
  };
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Listens on `socketPath` with mode 0600 from the first instant (umask), replacing a stale socket file. */
async function listenUnix(server: http.Server, socketPath: string): Promise<void> {
  mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  // The caller holds the single-instance lock, so a socket file here is a leftover of a killed daemon.
  rmSync(socketPath, { force: true });
  // bind() happens synchronously inside listen(), so the umask is restored before anything else runs.
  const previous = process.umask(0o177);
  let listening: Promise<void>;
  try {
    listening = new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(previous);
  }
  await listening;
  chmodSync(socketPath, 0o600);
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
