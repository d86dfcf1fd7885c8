/**
 * What the probe kinds share: finding the host port a container port is published on, wording
 * network errors, keeping credentials out of messages, and the "an authentication failure that
 * persists is final" rule.
 */
import { Redactor } from '../secrets.js';
import { HopelessProbeError, type ProbeTarget } from './probe.js';
import { ProbeError, type ProbeFailure, type ProbeFailureKind, type ProbeKindName } from './probe-failure.js';

/** Anything that can redact a text (the stack's Redactor from src/secrets.ts is one). */
export interface TextRedactor {
  redact(text: string): string;
}

export interface ProbeOptions {
  /** The stack's redactor; each probe also redacts its own credentials. */
  redactor?: TextRedactor;
  /**
   * An authentication failure (wrong password, missing password) that lasts this long is final:
   * the probe gives up instead of waiting for its deadline. Default 3000 ms — long enough for a
   * server that starts listening before its users exist, short enough not to waste a minute.
   */
  authGraceMs?: number;
  /** TCP probe: how long an accepted connection must stay open to count (see tcp.ts). Default 100 ms. */
  tcpSettleMs?: number;
}

export const DEFAULT_AUTH_GRACE_MS = 3000;

/** A Redactor knowing the stack's secrets (when given) plus the probe's own credentials. */
export function probeRedactor(options: ProbeOptions, credentials: Array<string | undefined>): TextRedactor {
  const own = new Redactor();
  for (const value of credentials) own.add(value);
  const stack = options.redactor;
  return { redact: (text: string) => own.redact(stack ? stack.redact(text) : text) };
}

/** The host port for a container port, or a HopelessProbeError: waiting will not publish it. */
export function requireHostPort(target: ProbeTarget, containerPort: number, probe: ProbeKindName): number {
  const hostPort = target.hostPort(containerPort);
  if (hostPort === undefined) {
    const message = `container port ${containerPort} of service "${target.service}" is not published on ${target.host}: the probe cannot reach it`;
    throw new HopelessProbeError(message, { probe, kind: 'not-published', message, detail: '' });
  }
  return hostPort;
}

export function hostPortLabel(target: ProbeTarget, containerPort: number): string {
  const hostPort = target.hostPort(containerPort);
  return hostPort === undefined ? `${target.host}:? (container port ${containerPort}, not published)` : `${target.host}:${hostPort}`;
}

const NET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EPIPE: 'connection closed while writing',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
};

const NET_KINDS: Record<string, ProbeFailureKind> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'refused',
  EPIPE: 'refused',
  ETIMEDOUT: 'timeout',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
  ENOTFOUND: 'unreachable',
  EAI_AGAIN: 'unreachable',
};

/** refused, timeout or unreachable for a socket error; undefined for anything else (e.g. a server's answer). */
export function netFailureKind(error: unknown): ProbeFailureKind | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: string }).code : undefined;
  return code ? NET_KINDS[code] : undefined;
}

/** A socket error as a ProbeError: `<where>: connection refused (ECONNREFUSED)`. */
export function netFailure(probe: ProbeKindName, where: string, error: unknown, redactor: TextRedactor): ProbeError {
  return new ProbeError({ probe, kind: netFailureKind(error) ?? 'refused', message: redactor.redact(`${where}: ${describeNetError(error)}`), detail: '' });
}

/** `connection refused` rather than `connect ECONNREFUSED 127.0.0.1:5432`. */
export function describeNetError(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: string }).code : undefined;
  if (code && NET_ERRORS[code]) return `${NET_ERRORS[code]} (${code})`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Collapses whitespace and cuts a response body for an error message. */
export function excerpt(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** An error that says the signal ended the attempt (deadline or cancellation). */
export function abortedError(signal: AbortSignal, what: string, probe: ProbeKindName): ProbeError {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new ProbeError({ probe, kind: 'timeout', message: `${what}: no answer before the attempt's time limit`, detail: '' });
  }
  return new ProbeError({ probe, kind: 'cancelled', message: `${what}: cancelled`, detail: '' });
}

/**
 * Tracks an authentication failure across attempts: the first occurrence starts the clock; once it
 * has persisted for the grace period, `check` turns it into a HopelessProbeError.
 */
export class AuthFailureTracker {
  private since: number | undefined;

  constructor(private readonly graceMs: number) {}

  reset(): void {
    this.since = undefined;
  }

  /** Call with an authentication failure; returns the error to throw. */
  fail(failure: ProbeFailure): Error {
    const now = Date.now();
    this.since ??= now;
    if (now - this.since >= this.graceMs) return new HopelessProbeError(failure.message, failure);
    return new ProbeError(failure);
  }
}
