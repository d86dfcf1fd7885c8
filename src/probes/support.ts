/**
 * What the probe kinds share: finding the host port a container port is published on, wording
 * network errors, keeping credentials out of messages, and the "an authentication failure that
 * persists is final" rule.
 */
import { Redactor } from '../secrets.js';
import { HopelessProbeError, type ProbeTarget } from './probe.js';

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
export function requireHostPort(target: ProbeTarget, containerPort: number): number {
  const hostPort = target.hostPort(containerPort);
  if (hostPort === undefined) {
    throw new HopelessProbeError(
      `container port ${containerPort} of service "${target.service}" is not published on ${target.host}: the probe cannot reach it`,
    );
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
export function abortedError(signal: AbortSignal, what: string): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') return new Error(`${what}: no answer before the attempt's time limit`);
  return new Error(`${what}: cancelled`);
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

  /** Call with the error of an authentication failure; returns the error to throw. */
  fail(message: string): Error {
    const now = Date.now();
    this.since ??= now;
    if (now - this.since >= this.graceMs) return new HopelessProbeError(message);
    return new Error(message);
  }
}
