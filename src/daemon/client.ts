/**
 * The client the CLI uses to talk to a running daemon. `findDaemon(stackDir, stackName)` answers
 * "is a daemon supervising this stack right now?" in a few milliseconds: it returns a client when
 * the stack's socket answers a ping, and undefined otherwise (no socket, a stale socket left by a
 * killed daemon, or no answer), so commands can fall back to working without a daemon.
 *
 *   const daemon = await findDaemon(stack.dir, stack.name);
 *   if (daemon) { const status = await daemon.status(); ... } else { ...direct engine path... }
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import { UsageError, errorMessage } from '../errors.js';
import type { TestRequest, ActionResult, ApiErrorBody, DaemonEventRecord, DaemonStatus, LogLine, PingResponse, ServiceStatus } from './api-types.js';
import { DaemonApiError, DaemonAuthError, DaemonBusyError, DaemonUnavailableError } from './errors.js';
import { readDaemonInfo } from './lock.js';
import { daemonPaths } from './paths.js';
import { SseParser } from './sse.js';

export type DaemonEndpoint =
  | { socketPath: string }
  /** e.g. `http://127.0.0.1:7070`; the token is sent as a bearer token. */
  | { url: string; token: string };

export interface RequestOptions {
  signal?: AbortSignal;
  /** No answer within this time: DaemonUnavailableError. Default: none (actions like `up` take minutes). */
  timeoutMs?: number;
}

export class DaemonClient {
  constructor(readonly endpoint: DaemonEndpoint) {}

  /** Where the daemon is, for messages. */
  get address(): string {
    return 'socketPath' in this.endpoint ? this.endpoint.socketPath : this.endpoint.url;
  }

  ping(options: RequestOptions = { timeoutMs: 2_000 }): Promise<PingResponse> {
    return this.json<PingResponse>('GET', '/v1/ping', undefined, options);
  }

  status(options: RequestOptions = { timeoutMs: 10_000 }): Promise<DaemonStatus> {
    return this.json<DaemonStatus>('GET', '/v1/status', undefined, options);
  }

  service(name: string, options: RequestOptions = { timeoutMs: 10_000 }): Promise<ServiceStatus> {
    return this.json<ServiceStatus>('GET', `/v1/services/${encodeURIComponent(name)}`, undefined, options);
  }

  up(options: RequestOptions = {}): Promise<ActionResult> {
    return this.json<ActionResult>('POST', '/v1/up', {}, options);
  }

  /** `exit: true` also ends the daemon once the stack is down (what `stackctl down` asks for). */
  down(body: { volumes?: boolean; exit?: boolean } = {}, options: RequestOptions = {}): Promise<ActionResult> {
    return this.json<ActionResult>('POST', '/v1/down', body, options);
  }

  restart(service: string, options: RequestOptions = {}): Promise<ActionResult> {
    return this.json<ActionResult>('POST', `/v1/services/${encodeURIComponent(service)}/restart`, {}, options);
  }

  /** Runs the suite in the daemon; paths in `request` must be absolute (the daemon has its own working directory). */
  test(request: TestRequest = {}, options: RequestOptions = {}): Promise<ActionResult> {
    return this.json<ActionResult>('POST', '/v1/test', request, options);
  }

  /**
   * Follows the event stream until `signal` aborts or the daemon closes it. `since` replays the
   * events after that id still held by the daemon (its ring buffer). Resolves when the stream ends;
   * rejects with what `onEvent` throws. `onSubscribed` is called once the daemon has subscribed this
   * stream: every event emitted after that reaches `onEvent`.
   */
  async events(
    onEvent: (record: DaemonEventRecord) => void,
    options: { signal?: AbortSignal; since?: number; onSubscribed?: () => void } = {},
  ): Promise<void> {
    const headers: Record<string, string> = { Accept: 'text/event-stream' };
    if (options.since !== undefined) headers['Last-Event-ID'] = String(options.since);
    const res = await this.open('GET', '/v1/events', undefined, { signal: options.signal }, headers);
    // The daemon subscribes in the same turn as it sends the headers: a response means subscribed.
    options.onSubscribed?.();
    const parser = new SseParser((message) => {
      const record = parseJson<DaemonEventRecord>(message.data);
      if (record !== undefined) onEvent(record); // a malformed message is skipped, not fatal
    });
    await consume(res, (chunk) => parser.push(chunk), options.signal);
  }

  /**
   * Log lines (ndjson) of the named services (all when empty); with `follow`, until `signal` aborts
   * (`onSubscribed` as for events). Rejects with what `onLine` throws.
   */
  async logs(
    request: { services?: string[]; tail?: number | 'all'; follow?: boolean },
    onLine: (line: LogLine) => void,
    options: { signal?: AbortSignal; onSubscribed?: () => void } = {},
  ): Promise<void> {
    const query = new URLSearchParams();
    for (const service of request.services ?? []) query.append('service', service);
    if (request.tail !== undefined) query.set('tail', String(request.tail));
    if (request.follow) query.set('follow', '1');
    const res = await this.open('GET', `/v1/logs?${query.toString()}`, undefined, { signal: options.signal });
    options.onSubscribed?.();
    let buffer = '';
    await consume(
      res,
      (chunk) => {
        buffer += chunk;
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          const text = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          const line = text.trim() === '' ? undefined : parseJson<LogLine>(text);
          if (line !== undefined) onLine(line); // a malformed line is skipped
          newline = buffer.indexOf('\n');
        }
      },
      options.signal,
    );
  }

  private async json<T>(method: string, path: string, body: unknown, options: RequestOptions): Promise<T> {
    const res = await this.open(method, path, body, options);
    let text = '';
    await consume(res, (chunk) => (text += chunk), options.signal);
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new DaemonApiError(`the daemon sent an unreadable answer to ${method} ${path}`, res.statusCode ?? 0, 'E_BAD_RESPONSE', { cause: error });
    }
  }

  /** Sends the request; resolves with a 2xx response, rejects with the daemon's error otherwise. */
  private open(
    method: string,
    path: string,
    body: unknown,
    options: RequestOptions,
    extraHeaders: Record<string, string> = {},
  ): Promise<http.IncomingMessage> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { ...extraHeaders };
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    let target: http.RequestOptions;
    if ('socketPath' in this.endpoint) {
      target = { socketPath: this.endpoint.socketPath, path, method, headers };
    } else {
      const url = new URL(path, this.endpoint.url);
      headers.Authorization = `Bearer ${this.endpoint.token}`;
      target = { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port, path: `${url.pathname}${url.search}`, method, headers };
    }
    return new Promise((resolve, reject) => {
      const req = http.request({ ...target, agent: false, signal: options.signal }, (res) => {
        if (timer) clearTimeout(timer);
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          resolve(res);
          return;
        }
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('error', (error) => reject(this.unavailable(error)));
        res.on('end', () => reject(apiError(status, text, method, path)));
      });
      const timer =
        options.timeoutMs === undefined
          ? undefined
          : setTimeout(() => req.destroy(new DaemonUnavailableError(`the daemon at ${this.address} did not answer within ${options.timeoutMs} ms`)), options.timeoutMs);
      req.on('error', (error) => {
        if (timer) clearTimeout(timer);
        reject(error instanceof DaemonUnavailableError || error.name === 'AbortError' ? error : this.unavailable(error));
      });
      req.end(payload);
    });
  }

  private unavailable(error: unknown): DaemonUnavailableError {
    return new DaemonUnavailableError(`the daemon at ${this.address} is not answering: ${errorMessage(error)}`, {
      cause: error,
      hint: 'it may have stopped or been killed; start it again with "stackctl daemon --detach", or run the command again to work without it',
    });
  }
}

function apiError(status: number, text: string, method: string, path: string): Error {
  let body: Partial<ApiErrorBody> = {};
  try {
    body = JSON.parse(text) as ApiErrorBody;
  } catch {
    // not JSON
  }
  const message = body.message ?? `the daemon answered ${status} to ${method} ${path}`;
  const options = body.hint ? { hint: body.hint } : {};
  if (status === 401) return new DaemonAuthError(message, status, body.error ?? 'E_DAEMON_AUTH', options);
  if (status === 409) return new DaemonBusyError(message, options);
  if (body.error === 'E_USAGE') return new UsageError(message, options);
  return new DaemonApiError(message, status, body.error ?? 'E_DAEMON_API', options);
}

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** Feeds the body to `onChunk`; what `onChunk` throws ends the stream and rejects (never an uncaught exception). */
function consume(res: http.IncomingMessage, onChunk: (chunk: string) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      try {
        onChunk(chunk);
      } catch (error) {
        reject(error);
        res.destroy();
      }
    });
    res.on('end', () => resolve());
    res.on('error', (error) => (signal?.aborted ? resolve() : reject(error)));
    res.on('close', () => resolve());
  });
}

export function connectDaemon(endpoint: DaemonEndpoint): DaemonClient {
  return new DaemonClient(endpoint);
}

/**
 * The daemon supervising `stackName` from `stackDir`, if one is running and answers; undefined
 * otherwise. Never throws for "no daemon": a missing or stale socket, a refused or timed-out ping.
 */
export async function findDaemon(stackDir: string, stackName: string, options: { timeoutMs?: number } = {}): Promise<DaemonClient | undefined> {
  const paths = daemonPaths(stackDir, stackName);
  const candidates = [paths.socket];
  const recorded = readDaemonInfo(paths.info)?.socket;
  if (recorded && !candidates.includes(recorded)) candidates.push(recorded);
  for (const socketPath of candidates) {
    if (!existsSync(socketPath)) continue;
    const client = new DaemonClient({ socketPath });
    try {
      const ping = await client.ping({ timeoutMs: options.timeoutMs ?? 1_500 });
      if (ping.stack === stackName) return client;
    } catch {
      // stale socket or a daemon that no longer answers: treat as none
    }
  }
  return undefined;
}
