/**
 * The root cause a probe's failure shows, read from its data (src/probes/probe-failure.ts) rather
 * than from its message: a refused login names the server, the refusal and the user. Failures that
 * only say "not yet" (refused, timeout, unreachable) have no cause of their own: the logs or the
 * deadline explain them. The service's own words a probe brings back (an HTTP body, an exec
 * probe's output) are classified like its logs (classify.ts).
 */
import type { ProbeFailure } from '../probes/probe-failure.js';
import type { ClassifyContext } from './classify.js';
import type { RootCause } from './model.js';

function who(context: ClassifyContext): string {
  return context.service ? `"${context.service}"` : 'the service';
}

function evidence(failure: ProbeFailure): string {
  return (failure.detail || failure.message).trim().slice(0, 300);
}

function redisAuth(failure: ProbeFailure, context: ClassifyContext): RootCause | undefined {
  const cause = (summary: string, hint: string): RootCause => ({ code: 'redis-auth', summary, hint, evidence: evidence(failure) });
  switch (failure.auth) {
    case 'password-required':
      return cause(
        'redis requires a password and the readiness probe sends none (NOAUTH)',
        `give ${who(context)}'s readiness probe the password: readiness: { redis: { port: 6379, password: \${REDIS_PASSWORD} } }`,
      );
    case 'wrong-password':
      return cause("redis rejected the readiness probe's password (WRONGPASS)", "the probe's password differs from redis's REDIS_PASSWORD: use ${REDIS_PASSWORD} in both");
    case 'no-password-configured':
      return cause(
        'redis has no password configured, but the readiness probe sends one',
        `REDIS_PASSWORD is not propagated to ${who(context)}: set it in its environment (the same variable the probe uses), or drop the probe's password`,
      );
    default:
      return undefined;
  }
}

function postgresAuth(failure: ProbeFailure): RootCause | undefined {
  const user = failure.user ?? '?';
  const database = failure.database ?? '?';
  const cause = (summary: string, hint: string): RootCause => ({ code: 'postgres-auth', summary, hint, evidence: evidence(failure) });
  switch (failure.auth) {
    case 'wrong-password':
      return cause(
        `postgres rejected the password of user "${user}"`,
        `the readiness probe's credentials for "${user}" differ from postgres's POSTGRES_USER/POSTGRES_PASSWORD: use the same variables in both. postgres sets the password only when its data volume is first initialised — after changing POSTGRES_PASSWORD, remove the volume (stackctl down -v)`,
      );
    case 'unknown-user':
      return cause(
        `postgres has no role "${user}"`,
        `"${user}" is not postgres's POSTGRES_USER: use the same variable in the probe; a volume initialised with another user keeps it (stackctl down -v)`,
      );
    case 'unknown-database':
      return cause(
        `postgres has no database "${database}"`,
        `"${database}" is not postgres's POSTGRES_DB: use the same variable in the probe; a volume initialised with another POSTGRES_DB keeps it (stackctl down -v)`,
      );
    default:
      return undefined;
  }
}

/** The cause the failure's data shows, or undefined when it only says "not (yet) ready". */
export function classifyProbeFailure(failure: ProbeFailure, context: ClassifyContext = {}): RootCause | undefined {
  if (failure.kind !== 'auth') return undefined;
  if (failure.probe === 'redis') return redisAuth(failure, context);
  if (failure.probe === 'postgres') return postgresAuth(failure);
  return undefined;
}

/** What the service itself said through the probe (an HTTP body, a command's output), to classify like its logs. */
export function serviceWords(failure: ProbeFailure): string | undefined {
  return failure.kind === 'command-failed' || (failure.probe === 'http' && failure.detail !== '') ? failure.detail : undefined;
}
