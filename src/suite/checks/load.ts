/**
 * A load check: N requests with at most C in flight, each timed; the check passes when enough of them
 * got the expected status and the latency limits hold. Bounded by its request count and its timeout.
 */
import { mean, percentile } from '../../stats.js';
import type { RunContext } from '../context.js';
import type { LoadCheckSpec, SuiteCheck } from '../model.js';
import { round1, timeoutSignal, type CheckExecutor, type Outcome } from './outcome.js';
import { describeStatus, prepareRequest, sendRequest, statusMatches, targetOf, type SentRequest } from './request.js';
import { parseRequest, parseStatus, type CheckParser } from './parse-context.js';

export const loadCheck: CheckExecutor<LoadCheckSpec> = {
  async run(check: SuiteCheck & { spec: LoadCheckSpec }, ctx: RunContext, signal: AbortSignal): Promise<Outcome> {
    const spec = check.spec;
    const prepared = prepareRequest(spec.request, ctx);
    const deadline = timeoutSignal(signal, check.timeoutMs);
    const results: SentRequest[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < spec.requests && !deadline.aborted) {
        next++;
        results.push(await sendRequest(prepared, spec.request.followRedirects, deadline));
      }
    };
    await Promise.all(Array.from({ length: spec.concurrency }, worker));
    const good = results.filter((r) => r.ok && r.status !== undefined && statusMatches(r.status, spec.status));
    const latencies = results.filter((r) => r.ok && r.latencyMs !== undefined).map((r) => r.latencyMs as number);
    const successRate = (good.length / spec.requests) * 100;
    const avgMs = mean(latencies) ?? 0;
    const p95Ms = percentile(latencies, 95) ?? 0;
    const maxMs = latencies.length > 0 ? Math.max(...latencies) : 0;
    const outcome: Outcome = {
      status: 'failed',
      request: { method: prepared.method, url: prepared.url },
      measurements: { requests: spec.requests, concurrency: spec.concurrency, succeeded: good.length, successRate, avgMs: round1(avgMs), p95Ms: round1(p95Ms), maxMs: round1(maxMs) },
    };
    const target = targetOf(prepared.url);
    if (target) outcome.target = target;
    if (latencies.length > 0) outcome.latencyMs = round1(avgMs);
    const problems: string[] = [];
    if (results.length < spec.requests) problems.push(`only ${results.length} of ${spec.requests} requests finished within ${check.timeoutMs} ms`);
    if (successRate < spec.minSuccessRate) {
      const firstBad = results.find((r) => !(r.ok && r.status !== undefined && statusMatches(r.status, spec.status)));
      const why = firstBad ? (firstBad.ok ? `got ${firstBad.status}` : firstBad.error) : '';
      problems.push(`${good.length} of ${spec.requests} requests answered ${describeStatus(spec.status)} (${successRate.toFixed(1)}%, needs ${spec.minSuccessRate}%)${why ? `; first failure: ${why}` : ''}`);
      if (good.length === 0 && results.every((r) => !r.ok)) outcome.transportError = results[0]?.transport ?? 'other';
    }
    if (spec.maxAvgMs !== undefined && avgMs > spec.maxAvgMs) problems.push(`average ${Math.round(avgMs)} ms, limit ${spec.maxAvgMs} ms`);
    if (spec.maxP95Ms !== undefined && p95Ms > spec.maxP95Ms) problems.push(`p95 ${Math.round(p95Ms)} ms, limit ${spec.maxP95Ms} ms`);
    if (spec.maxMs !== undefined && maxMs > spec.maxMs) problems.push(`slowest ${Math.round(maxMs)} ms, limit ${spec.maxMs} ms`);
    if (problems.length > 0) {
      outcome.message = problems.join('; ');
      return outcome;
    }
    outcome.status = 'passed';
    outcome.message = `${spec.requests} requests, ${spec.concurrency} concurrent: ${successRate.toFixed(1)}% ok, average ${Math.round(avgMs)} ms, p95 ${Math.round(p95Ms)} ms`;
    return outcome;
  },
};

/** `load:` — a request (as http:), how many and how many at once, and the limits. */
export const loadParser: CheckParser = {
  defaultTimeoutMs: 60_000,
  keepsDefaultAsFloor: true,
  parse(ctx) {
    const { raw, base, problem } = ctx;
    const l = raw.load;
    if (!l) return {};
    const req = parseRequest(ctx, l, [...base, 'load']);
    const status = parseStatus(l.status, [{ min: 200, max: 299 }]);
    if (typeof status === 'string') problem([...base, 'load', 'status'], status, 'e.g. status: 200');
    const requests = l.requests ?? 50;
    if (!req || typeof status === 'string') return {};
    return {
      spec: {
        kind: 'load',
        request: req,
        requests,
        concurrency: Math.min(l.concurrency ?? requests, requests),
        status,
        minSuccessRate: l.min_success_rate ?? 100,
        ...(l.max_avg_ms !== undefined ? { maxAvgMs: l.max_avg_ms } : {}),
        ...(l.max_p95_ms !== undefined ? { maxP95Ms: l.max_p95_ms } : {}),
        ...(l.max_ms !== undefined ? { maxMs: l.max_ms } : {}),
      },
    };
  },
};
