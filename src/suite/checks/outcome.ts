/**
 * What a check executor returns, and the one interface every kind implements (one file per kind:
 * http.ts, tcp.ts, postgres.ts, redis.ts, load.ts, metric.ts, external.ts, browser.ts).
 */
import type { CheckStatus } from '../../report/model.js';
import type { RunContext } from '../context.js';
import type { CheckSpec, SuiteCheck } from '../model.js';

export interface Outcome {
  status: Exclude<CheckStatus, 'skipped'>;
  message?: string;
  latencyMs?: number;
  request?: { method: string; url: string };
  response?: { status: number };
  measurements?: Record<string, number>;
  /** Nothing answered (refused, reset, timed out): the root cause is the target service's state. */
  transportError?: 'refused' | 'timeout' | 'other';
  /** host:port the check connected to, to find the service behind it. */
  target?: { host: string; port: number };
}

/** One case of an external step's JUnit report, merged into the report as a check. */
export interface CaseOutcome extends Outcome {
  id: string;
  name: string;
  durationMs: number;
  skippedReason?: string;
}

export interface CheckExecutor<S extends CheckSpec = CheckSpec> {
  run(check: SuiteCheck & { spec: S }, ctx: RunContext, signal: AbortSignal): Promise<Outcome | CaseOutcome[]>;
}

/** `fetch failed` → `connect ECONNREFUSED 127.0.0.1:8007`: the cause a person can act on. */
export function describeError(error: unknown): { message: string; transport: Outcome['transportError'] } {
  const err = error as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string; name?: string } };
  if (err?.name === 'TimeoutError' || err?.cause?.name === 'TimeoutError') return { message: 'timed out', transport: 'timeout' };
  const code = err?.cause?.code ?? err?.code;
  const text = err?.cause?.message ?? err?.message ?? String(error);
  if (code === 'ECONNREFUSED') return { message: text, transport: 'refused' };
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') return { message: text, transport: 'timeout' };
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'EHOSTUNREACH' || code === 'ENOTFOUND') {
    return { message: text, transport: 'other' };
  }
  return { message: text, transport: undefined };
}

/** A signal that aborts with the run or after `timeoutMs`. */
export function timeoutSignal(signal: AbortSignal, timeoutMs: number): AbortSignal {
  return AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
}

export function excerpt(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
