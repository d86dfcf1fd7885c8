/**
 * http: a request to the published port answers with a status in range, and optionally a body
 * matching a regular expression and JSON fields (dot paths) equal to given values. Header values
 * (often credentials, already interpolated in the model) never appear in a description or an error.
 */
import http from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import type { ProbeSpec, StatusRange } from '../config/model.js';
import { HopelessProbeError, type Probe, type ProbeTarget } from './probe.js';
import { ProbeError, probeFailureOf, redactFailure } from './probe-failure.js';
import { abortedError, excerpt, hostPortLabel, netFailure, probeRedactor, requireHostPort, type ProbeOptions, type TextRedactor } from './support.js';

/** The model's http probe (config/model.ts ProbeSpec). */
export type HttpProbeSpec = Extract<ProbeSpec, { kind: 'http' }>;

/** Body bytes kept for matching; a readiness answer is small. */
const MAX_BODY = 256 * 1024;

/** `a.b.0.c` in a parsed JSON value; undefined when a step is missing. */
export function jsonPath(value: unknown, dotted: string): unknown {
  let current: unknown = value;
  for (const step of dotted.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = Array.isArray(current) ? current[Number(step)] : (current as Record<string, unknown>)[step];
  }
  return current;
}

function rangeText(range: StatusRange): string {
  return range.min === range.max ? String(range.min) : `${range.min}-${range.max}`;
}

export class HttpProbe implements Probe {
  private readonly redactor: TextRedactor;
  private bodyRegex: RegExp | undefined;

  constructor(
    private readonly spec: HttpProbeSpec,
    options: ProbeOptions = {},
  ) {
    this.redactor = probeRedactor(options, Object.values(spec.headers));
  }

  private url(target: ProbeTarget, port: number | string): string {
    const path = this.spec.path.startsWith('/') ? this.spec.path : `/${this.spec.path}`;
    return `http://${target.host}:${port}${path}`;
  }

  describe(target: ProbeTarget): string {
    const hostPort = target.hostPort(this.spec.port);
    const where = hostPort === undefined ? hostPortLabel(target, this.spec.port) : this.url(target, hostPort);
    const parts = [`HTTP ${this.spec.method.toUpperCase()} ${where} expecting ${rangeText(this.spec.status)}`];
    const headerNames = Object.keys(this.spec.headers);
    if (headerNames.length > 0) parts.push(`with header${headerNames.length > 1 ? 's' : ''} ${headerNames.join(', ')}`);
    if (this.spec.body !== undefined) parts.push(`body matching /${this.spec.body}/`);
    if (this.spec.json) parts.push(`JSON ${Object.entries(this.spec.json).map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(', ')}`);
    return this.redactor.redact(parts.join(', '));
  }

  private regex(): RegExp | undefined {
    if (this.spec.body === undefined) return undefined;
    if (!this.bodyRegex) {
      try {
        this.bodyRegex = new RegExp(this.spec.body);
      } catch (error) {
        const message = `http probe body pattern /${this.spec.body}/ is not a valid regular expression: ${(error as Error).message}`;
        throw new HopelessProbeError(message, { probe: 'http', kind: 'config', message, detail: '' });
      }
    }
    return this.bodyRegex;
  }

  async check(target: ProbeTarget, signal: AbortSignal): Promise<void> {
    const port = requireHostPort(target, this.spec.port, 'http');
    const regex = this.regex();
    const method = this.spec.method.toUpperCase();
    const what = `${method} ${this.url(target, port)}`;
    try {
      const { status, body } = await this.request(target.host, port, method, signal, what);
      this.verify(what, status, body, regex);
    } catch (error) {
      const redact = (text: string): string => this.redactor.redact(text);
      const failure = probeFailureOf(error);
      if (error instanceof HopelessProbeError) throw new HopelessProbeError(redact(error.message), failure && redactFailure(failure, redact));
      if (failure) throw new ProbeError(redactFailure(failure, redact));
      throw new Error(redact(error instanceof Error ? error.message : String(error)));
    }
  }

  private request(host: string, port: number, method: string, signal: AbortSignal, what: string): Promise<{ status: number; body: string }> {
    if (signal.aborted) return Promise.reject(abortedError(signal, what, 'http'));
    return new Promise((resolve, reject) => {
      const request = http.request(
        { host, port, method, path: this.spec.path.startsWith('/') ? this.spec.path : `/${this.spec.path}`, headers: this.spec.headers, agent: false },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            if (size < MAX_BODY) chunks.push(chunk);
            size += chunk.length;
          });
          response.on('end', () => {
            cleanup();
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
          });
          response.on('error', (error) => {
            cleanup();
            reject(netFailure('http', what, error, { redact: (text) => text }));
          });
        },
      );
      const onAbort = (): void => {
        request.destroy();
        reject(abortedError(signal, what, 'http'));
      };
      const cleanup = (): void => signal.removeEventListener('abort', onAbort);
      signal.addEventListener('abort', onAbort, { once: true });
      request.on('error', (error: NodeJS.ErrnoException) => {
        cleanup();
        if (signal.aborted) return;
        // docker-proxy accepts, then hangs up when nothing listens inside the container.
        if (error.code === 'ECONNRESET' || error.message === 'socket hang up') {
          reject(new ProbeError({ probe: 'http', kind: 'refused', message: `${what}: connection closed before an answer (nothing listening yet?)`, detail: '' }));
        } else reject(netFailure('http', what, error, { redact: (text) => text }));
      });
      request.end();
    });
  }

  private verify(what: string, status: number, body: string, regex: RegExp | undefined): void {
    // The service's answer is the detail: its own words, which the diagnosis may classify like its logs.
    const wrong = (message: string): ProbeError => new ProbeError({ probe: 'http', kind: 'protocol', message, detail: excerpt(body) });
    const { min, max } = this.spec.status;
    if (status < min || status > max) {
      const said = body.trim() ? `: ${excerpt(body)}` : '';
      const message = `${what} answered ${status} (expected ${rangeText(this.spec.status)})${said}`;
      // A refused credential says which headers it was sent (by name; the values stay here).
      if (status === 401 || status === 403) throw new ProbeError({ probe: 'http', kind: 'auth', message, detail: excerpt(body), status, headers: Object.keys(this.spec.headers) });
      throw wrong(message);
    }
    if (regex && !regex.test(body)) {
      throw wrong(`${what} answered ${status} but the body does not match /${this.spec.body}/: ${excerpt(body) || '(empty body)'}`);
    }
    if (this.spec.json) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        throw wrong(`${what} answered ${status} but the body is not JSON: ${excerpt(body) || '(empty body)'}`);
      }
      for (const [path, expected] of Object.entries(this.spec.json)) {
        const actual = jsonPath(parsed, path);
        if (!isDeepStrictEqual(actual, expected)) {
          const shown = actual === undefined ? 'missing' : JSON.stringify(actual);
          throw wrong(`${what} answered ${status} but JSON field ${path} is ${shown}, expected ${JSON.stringify(expected)}: ${excerpt(body)}`);
        }
      }
    }
  }
}
