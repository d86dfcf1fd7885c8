/**
 * Engine failures in stackctl's terms: the engine's own words out of dockerode's errors, a
 * connection problem as EngineUnavailableError (with where the engine was expected), the rest as
 * RuntimeError with secrets redacted.
 */
import { EngineUnavailableError, RuntimeError, errorMessage } from '../../errors.js';

interface EngineError {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | null;
  reason?: string;
  message?: string;
}

export function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? (error as EngineError).statusCode : undefined;
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as EngineError).code : undefined;
}

/** The engine's own words (its JSON `message`), else the error's message. */
export function engineMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const json = (error as EngineError).json;
    if (json && typeof json.message === 'string') return json.message.trim();
  }
  return errorMessage(error).trim();
}

export function isAbort(error: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  return typeof error === 'object' && error !== null && (error as { name?: string }).name === 'AbortError';
}

/**
 * Where the engine was expected, for messages. docker-modem keeps the default socket as a function
 * that picks ~/.docker/run/docker.sock or /var/run/docker.sock; the failed connection names the one
 * it tried.
 */
export function engineEndpoint(modem: unknown, error?: unknown): string {
  const m = (modem ?? {}) as { socketPath?: unknown; host?: unknown; port?: unknown; protocol?: unknown };
  if (typeof m.socketPath === 'string' && m.socketPath) return `unix://${m.socketPath}`;
  if (typeof m.socketPath === 'function') {
    const tried = typeof error === 'object' && error !== null ? (error as { address?: unknown }).address : undefined;
    return typeof tried === 'string' && tried ? `unix://${tried}` : 'the default Docker socket';
  }
  return `${typeof m.protocol === 'string' ? m.protocol : 'http'}://${typeof m.host === 'string' ? m.host : 'localhost'}${typeof m.port === 'number' || typeof m.port === 'string' ? `:${m.port}` : ''}`;
}

/** The engine does not answer (or refuses us): where it was expected, and what to do. */
export function engineUnavailable(modem: unknown, error: unknown): EngineUnavailableError {
  const code = codeOf(error);
  const detail = code === 'EACCES' ? 'permission denied' : engineMessage(error);
  const hint =
    code === 'EACCES'
      ? 'add your user to the docker group (then log in again), or run as root'
      : 'start the engine: `make engine` (runs scripts/ensure-docker.sh), or point DOCKER_HOST at a running one';
  return new EngineUnavailableError(`the container engine does not answer at ${engineEndpoint(modem, error)}: ${detail}`, { hint, cause: error });
}

/** Wraps an engine failure: connection problems become EngineUnavailableError. */
export function engineFailure(
  modem: unknown,
  redact: (text: string) => string,
  what: string,
  error: unknown,
  options: { service?: string; hint?: string } = {},
): RuntimeError {
  if (error instanceof RuntimeError) return error;
  const code = codeOf(error);
  if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES' || code === 'ECONNRESET') return engineUnavailable(modem, error);
  return new RuntimeError(`${what}: ${redact(engineMessage(error))}`, { ...options, cause: error });
}
