/** A postgres check: log in with the credentials (scram over TCP) and run `SELECT 1`. */
import pg from 'pg';
import type { RunContext } from '../context.js';
import type { PostgresCheckSpec, SuiteCheck } from '../model.js';
import { describeError, round1, type CheckExecutor, type Outcome } from './outcome.js';
import { renderEndpoint } from './tcp.js';
import { DEFAULT_CHECK_TIMEOUT_MS } from '../model.js';
import { parseEndpoint, type CheckParser } from './parse-context.js';

export const postgresCheck: CheckExecutor<PostgresCheckSpec> = {
  async run(check: SuiteCheck & { spec: PostgresCheckSpec }, ctx: RunContext, signal: AbortSignal): Promise<Outcome> {
    const endpoint = renderEndpoint(check.spec, ctx);
    if ('failed' in endpoint) return endpoint.failed;
    const { host, port } = endpoint;
    const password = ctx.render(check.spec.password);
    ctx.redactor.add(password);
    const client = new pg.Client({
      host,
      port,
      user: ctx.render(check.spec.user),
      password,
      database: ctx.render(check.spec.database),
      connectionTimeoutMillis: check.timeoutMs,
      query_timeout: check.timeoutMs,
    });
    client.on('error', () => undefined);
    const onAbort = (): void => void client.end().catch(() => undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    const started = performance.now();
    const target = { host, port };
    try {
      await client.connect();
      await client.query('SELECT 1');
      return { status: 'passed', latencyMs: round1(performance.now() - started), target };
    } catch (error) {
      const { message, transport } = describeError(error);
      return { status: 'failed', message: `postgres: ${message}`, target, ...(transport ? { transportError: transport } : {}) };
    } finally {
      signal.removeEventListener('abort', onAbort);
      await client.end().catch(() => undefined);
    }
  },
};

/** `postgres: { user, password, database, host?, port? }`. */
export const postgresParser: CheckParser = {
  defaultTimeoutMs: DEFAULT_CHECK_TIMEOUT_MS,
  parse(ctx) {
    const pg = ctx.raw.postgres;
    const ep = pg && parseEndpoint(ctx, pg, 'postgres');
    return pg && ep ? { spec: { kind: 'postgres', ...ep, user: pg.user, password: pg.password, database: pg.database } } : {};
  },
};
