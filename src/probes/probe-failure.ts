/**
 * Why a probe attempt failed, as data — so the diagnosis reads the cause instead of re-parsing the
 * message. A probe throws a ProbeError (or a HopelessProbeError) that carries a ProbeFailure: its
 * kind, the detail (the server's or the service's own words, redacted), and the message for humans.
 */
export type ProbeKindName = 'tcp' | 'http' | 'postgres' | 'redis' | 'exec' | 'log';

export type ProbeFailureKind =
  /** The server refused the probe's credentials (see `auth`). */
  | 'auth'
  /** Nothing accepted the connection, or it was closed before an answer. */
  | 'refused'
  /** No answer within the attempt's time limit. */
  | 'timeout'
  /** The host or network cannot be reached. */
  | 'unreachable'
  /** An answer, but not the one expected (an HTTP status or body, a PING reply, SELECT 1). */
  | 'protocol'
  /** The container port is not published on the host: the probe cannot reach it. */
  | 'not-published'
  /** The exec probe's command exited non-zero (detail: its output). */
  | 'command-failed'
  /** The log probe has not seen its line yet. */
  | 'not-seen'
  /** The probe itself is misconfigured (an invalid pattern). */
  | 'config'
  | 'cancelled';

/** How the server refused the credentials. */
export type AuthRefusal =
  /** The password is wrong (redis WRONGPASS, postgres 28P01). */
  | 'wrong-password'
  /** The server wants a password and the probe sends none (redis NOAUTH). */
  | 'password-required'
  /** The probe sends a password the server has none configured for (redis). */
  | 'no-password-configured'
  /** No such user / role (postgres 28000). */
  | 'unknown-user'
  /** No such database (postgres 3D000). */
  | 'unknown-database';

export interface ProbeFailure {
  probe: ProbeKindName;
  kind: ProbeFailureKind;
  /** For humans, redacted: what the probe tried and what happened. */
  message: string;
  /** The other side's own words (server reply, HTTP body excerpt, command output), redacted; '' when none. */
  detail: string;
  /** With kind 'auth'. */
  auth?: AuthRefusal;
  /** The user the probe logged in as (postgres), never a credential. */
  user?: string;
  database?: string;
  /** The HTTP status that refused the probe (http, with kind 'auth': 401 or 403). */
  status?: number;
  /** The names of the headers the HTTP probe sent (with kind 'auth'), never their values. */
  headers?: string[];
}

/** A failed probe attempt with its cause as data. */
export class ProbeError extends Error {
  override readonly name = 'ProbeError';
  constructor(readonly failure: ProbeFailure) {
    super(failure.message);
  }
}

/** The ProbeFailure an error carries (a ProbeError or a HopelessProbeError made from one). */
export function probeFailureOf(error: unknown): ProbeFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const failure = (error as { failure?: unknown }).failure;
  return typeof failure === 'object' && failure !== null && typeof (failure as ProbeFailure).kind === 'string' ? (failure as ProbeFailure) : undefined;
}

/** The same failure with its message and detail passed through `redact`. */
export function redactFailure(failure: ProbeFailure, redact: (text: string) => string): ProbeFailure {
  return { ...failure, message: redact(failure.message), detail: redact(failure.detail) };
}
