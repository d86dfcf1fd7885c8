/**
 * A redis check: AUTH with the password (when given) and PING → PONG, through the readiness probe's
 * own client (probes/redis.ts's redisAuthPing): the same exact server replies and classified refusals
 * as `up`, and one redis client in stackctl.
 */
import { probeFailureOf, type ProbeFailureKind } from '../../probes/probe-failure.js';
import { redisAuthPing } from '../../probes/redis.js';
import type { RunContext } from '../context.js';
import { DEFAULT_CHECK_TIMEOUT_MS, type RedisCheckSpec, type SuiteCheck } from '../model.js';
import { describeError, round1, timeoutSignal, type CheckExecutor, type Outcome } from './outcome.js';
import { parseEndpoint, type CheckParser } from './parse-context.js';
import { renderEndpoint } from './tcp.js';

/** Nothing answered: the root cause is the target service's state (suite/root-cause.ts). */
const TRANSPORT: Partial<Record<ProbeFailureKind, Outcome['transportError']>> = { refused: 'refused', timeout: 'timeout', unreachable: 'other' };

export const redisCheck: CheckExecutor<RedisCheckSpec> = {
  async run(check: SuiteCheck & { spec: RedisCheckSpec }, ctx: RunContext, signal: AbortSignal): Promise<Outcome> {
    const endpoint = renderEndpoint(check.spec, ctx);
    if ('failed' in endpoint) return endpoint.failed;
    const { host, port } = endpoint;
    const password = check.spec.password === undefined ? undefined : ctx.render(check.spec.password);
    if (password) ctx.redactor.add(password);
    const started = performance.now();
    const target = { host, port };
    try {
      await redisAuthPing({ host, port, ...(password ? { password } : {}) }, timeoutSignal(signal, check.timeoutMs), ctx.redactor);
      return { status: 'passed', latencyMs: round1(performance.now() - started), target };
    } catch (error) {
      const failure = probeFailureOf(error);
      if (!failure) return { status: 'failed', message: `redis: ${describeError(error).message}`, target };
      const transport = TRANSPORT[failure.kind];
      return { status: 'failed', message: failure.message, target, ...(transport ? { transportError: transport } : {}) };
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
