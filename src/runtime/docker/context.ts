/** What every part of the Docker driver shares: the client, the options and the error wrappers. */
import type Docker from 'dockerode';
import type { EngineUnavailableError, RuntimeError } from '../../errors.js';
import { DockerClient, dockerOptionsFromHost, type DockerRuntimeOptions } from './client.js';
import { engineFailure, engineUnavailable, statusOf } from './engine-errors.js';
import { gate, type Gate } from '../gate.js';

/**
 * Execs in flight at once; more only lengthens each one's wait (bench/scale-bench.mjs, gate.ts).
 * Above the probes' own turns (src/probes/engine-turn.ts) so their execs never queue here too.
 */
const EXEC_CONCURRENCY = 8;

export interface DockerContext {
  readonly docker: Docker;
  readonly options: DockerRuntimeOptions;
  /** Secrets out of engine output and messages (build args may be secrets). */
  redact(text: string): string;
  /** An engine failure as RuntimeError; connection problems as EngineUnavailableError. */
  fail(what: string, error: unknown, options?: { service?: string; hint?: string }): RuntimeError;
  unavailable(error: unknown): EngineUnavailableError;
  /** Captured execs (probes, mostly) take their turn here: see gate.ts for why. */
  readonly execGate: Gate;
}

export function createDockerContext(options: DockerRuntimeOptions): DockerContext {
  const docker = new DockerClient(options.docker ?? dockerOptionsFromHost(options.dockerHost));
  const redact = (text: string): string => (options.redactor ? options.redactor.redact(text) : text);
  return {
    docker,
    options,
    redact,
    fail: (what, error, failOptions) => engineFailure(docker.modem, redact, what, error, failOptions),
    unavailable: (error) => engineUnavailable(docker.modem, error),
    execGate: gate(EXEC_CONCURRENCY),
  };
}

/** The engine's inspect answer for `what` (e.g. `network web_default`); undefined when it does not exist. */
export async function inspectOrAbsent<T>(ctx: DockerContext, what: string, inspect: () => Promise<T>): Promise<T | undefined> {
  try {
    return await inspect();
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw ctx.fail(`inspecting ${what} failed`, error);
  }
}
