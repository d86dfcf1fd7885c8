/**
 * The root cause a probe's failure shows, read from its data (src/probes/probe-failure.ts) rather
 * than from its message: a refused login names the server, the refusal and the user. Failures that
 * only say "not yet" (refused, timeout, unreachable) have no cause of their own: the logs or the
 * deadline explain them. The service's own words a probe brings back (an HTTP body, an exec
 * probe's output) are classified like its logs (classify.ts).
 */
import path from 'node:path';
import type { Stack, VariableReference } from '../config/model.js';
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

/** Header names that carry a credential (as validate's ENV004 reads them). */
const CREDENTIAL_HEADER = /auth|key|token|secret|password|cookie/i;

function where(stack: Stack, reference: VariableReference): string {
  const file = path.relative(stack.dir, reference.location.file) || reference.location.file;
  return reference.location.line > 0 ? `${file}:${reference.location.line}` : file;
}

/** The `${VAR}` behind the probe's header `name` (never its value), with where the file writes it. */
function headerVariable(context: ClassifyContext, name: string): VariableReference | undefined {
  return context.stack?.variables.find(
    (ref) => ref.service === context.service && ref.path.includes('readiness') && ref.path.some((step) => typeof step === 'string' && step.toLowerCase() === name.toLowerCase()),
  );
}

/** What the service's own environment takes from the same variable (`API_KEY: ${API_KEY}`), if anything. */
function serviceSide(context: ClassifyContext, variable: string): VariableReference | undefined {
  return context.stack?.variables.find((ref) => ref.service === context.service && ref.name === variable && ref.path.includes('environment'));
}

function httpAuth(failure: ProbeFailure, context: ClassifyContext): RootCause {
  const status = failure.status === undefined ? '' : ` with HTTP ${failure.status}`;
  const credentials = (failure.headers ?? []).filter((name) => CREDENTIAL_HEADER.test(name));
  const cause = (summary: string, hint: string): RootCause => ({ code: 'http-auth-refused', summary, hint, evidence: evidence(failure) });
  if (credentials.length === 0) {
    return cause(
      `${who(context)} refused its readiness probe${status}: the probe sends no credential header`,
      `give the readiness probe the credential ${who(context)} expects, from the variable its environment uses: readiness: { http: { …, headers: { X-API-Key: "\${API_KEY}" } } } (or Authorization: "Bearer \${TOKEN}")`,
    );
  }
  const header = credentials.join(', ');
  const summary = `${who(context)} refused the readiness probe's credential${status} (header ${header})`;
  const references = credentials.map((name) => headerVariable(context, name)).filter((ref): ref is VariableReference => ref !== undefined);
  const stack = context.stack;
  if (!stack || references.length === 0) {
    return cause(summary, `the probe's ${header} is not a value ${who(context)} accepts: take it from the same variable the service reads (e.g. "\${API_KEY}" in both), set in .env or the shell`);
  }
  const reference = references[0] as VariableReference;
  const state = reference.value === undefined ? ', which is unset' : reference.value === '' ? ', which is empty' : '';
  const own = serviceSide(context, reference.name);
  const service = own
    ? `${who(context)} reads the same variable (${where(stack, own)}), so it checks the credential against another value: one baked into its image or config, or a container created before ${reference.name} changed (stackctl up recreates it)`
    : `${who(context)}'s environment does not take ${reference.name}: give it the same variable (environment: { ${reference.name}: \${${reference.name}} }) or set the probe's header from the variable the service reads`;
  return cause(
    summary,
    `the probe's ${header} comes from \${${reference.name}} (${where(stack, reference)})${state}; set ${reference.name} in .env or the shell. ${service}`,
  );
}

/** The cause the failure's data shows, or undefined when it only says "not (yet) ready". */
export function classifyProbeFailure(failure: ProbeFailure, context: ClassifyContext = {}): RootCause | undefined {
  if (failure.kind !== 'auth') return undefined;
  if (failure.probe === 'redis') return redisAuth(failure, context);
  if (failure.probe === 'postgres') return postgresAuth(failure);
  if (failure.probe === 'http') return httpAuth(failure, context);
  return undefined;
}

/** What the service itself said through the probe (an HTTP body, a command's output), to classify like its logs. */
export function serviceWords(failure: ProbeFailure): string | undefined {
  return failure.kind === 'command-failed' || (failure.probe === 'http' && failure.detail !== '') ? failure.detail : undefined;
}
