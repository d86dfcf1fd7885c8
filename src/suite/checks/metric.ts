/**
 * A metric check: a figure over the checks that ran before it in this run (the same arithmetic as
 * the report: src/report/arithmetic.ts) held against a limit — e.g. average response time < 500 ms.
 */
import { summarize } from '../../report/arithmetic.js';
import type { RunContext } from '../context.js';
import type { MetricCheckSpec, SuiteCheck } from '../model.js';
import type { CheckExecutor, Outcome } from './outcome.js';
import { DEFAULT_CHECK_TIMEOUT_MS } from '../model.js';
import type { CheckParser } from './parse-context.js';

const LABELS = {
  avg_response_ms: ['average response time', 'ms'],
  p95_response_ms: ['p95 response time', 'ms'],
  error_rate: ['error rate', '%'],
  success_rate: ['success rate', '%'],
} as const;

export const metricCheck: CheckExecutor<MetricCheckSpec> = {
  async run(check: SuiteCheck & { spec: MetricCheckSpec }, ctx: RunContext): Promise<Outcome> {
    const summary = summarize(ctx.results);
    const value =
      check.spec.metric === 'avg_response_ms'
        ? summary.avgResponseMs
        : check.spec.metric === 'p95_response_ms'
          ? summary.p95ResponseMs
          : check.spec.metric === 'error_rate'
            ? summary.errorRate
            : summary.successRate;
    const [label, unit] = LABELS[check.spec.metric];
    const show = (n: number): string => (unit === '%' ? `${n.toFixed(1)}%` : `${Math.round(n)} ms`);
    if (value === null) return { status: 'failed', message: `no ${label} to judge: no earlier check measured a response` };
    const measurements = { value };
    const over = check.spec.max !== undefined && !(value < check.spec.max);
    const under = check.spec.min !== undefined && !(value > check.spec.min);
    const basis = `over ${summary.passed + summary.failed} earlier checks`;
    if (over) return { status: 'failed', measurements, message: `${label} ${show(value)} ${basis}, must be below ${show(check.spec.max as number)}` };
    if (under) return { status: 'failed', measurements, message: `${label} ${show(value)} ${basis}, must be above ${show(check.spec.min as number)}` };
    return { status: 'passed', measurements, message: `${label} ${show(value)} ${basis}` };
  },
};

/** `metric: { name, max?, min? }` — at least one limit. */
export const metricParser: CheckParser = {
  defaultTimeoutMs: DEFAULT_CHECK_TIMEOUT_MS,
  parse({ raw, base, problem }) {
    const m = raw.metric;
    if (!m) return {};
    if (m.max === undefined && m.min === undefined) problem([...base, 'metric'], `metric ${m.name} has no limit`, 'add max: or min:');
    return { spec: { kind: 'metric', metric: m.name, ...(m.max !== undefined ? { max: m.max } : {}), ...(m.min !== undefined ? { min: m.min } : {}) } };
  },
};
