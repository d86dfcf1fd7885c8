/** A redis check: AUTH with the password (when given) and PING → PONG. */
import { createClient } from 'redis';
import type { RunContext } from '../context.js';
import type { RedisCheckSpec, SuiteCheck } from '../model.js';
import { describeError, round1, type CheckExecutor, type Outcome } from './outcome.js';
import { parsePort } from './tcp.js';
import { DEFAULT_CHECK_TIMEOUT_MS } from '../model.js';
import { parseEndpoint, type CheckParser } from './parse-context.js';

export const redisCheck: CheckExecutor<RedisCheckSpec> = {
  async run(check: SuiteCheck & { spec: RedisCheckSpec }, ctx: RunContext, signal: AbortSignal): Promise<Outcome> {
    const host = ctx.render(check.spec.host);
    const portText = ctx.render(check.spec.port);
    const port = parsePort(portText);
    if (port === undefined) return { status: 'failed', message: `"${portText}" is not a port number` };
    const password = check.spec.password === undefined ? undefined : ctx.render(check.spec.password);
    if (password) ctx.redactor.add(password);
    const client = createClient({
      socket: { host, port, connectTimeout: check.timeoutMs, reconnectStrategy: false },
      ...(password ? { password } : {}),
    });
    client.on('error', () => undefined);
    const onAbort = (): void => client.destroy();
    signal.addEventListener('abort', onAbort, { once: true });
    const started = performance.now();
    const target = { host, port };
    try {
      await client.connect();
      const pong = await client.ping();
      if (pong !== 'PONG') return { status: 'failed', message: `redis answered ${String(pong)} to PING`, target };
      return { status: 'passed', latencyMs: round1(performance.now() - started), target };
    } catch (error) {
      const { message, transport } = describeError(error);
      return { status: 'failed', message: `redis: ${message}`, target, ...(transport ? { transportError: transport } : {}) };
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (client.isOpen) client.destroy();
    }
  },
};

/** `redis: { password?, host?, port? }`. */
export const redisParser: CheckParser = {
  defaultTimeoutMs: DEFAULT_CHECK_TIMEOUT_MS,
  parse(ctx) {
    const r = ctx.raw.redis;
    const ep = r && parseEndpoint(ctx, r, 'redis');
    return r && ep ? { spec: { kind: 'redis', ...ep, ...(r.password !== undefined ? { password: r.password } : {}) } } : {};
  },
};
