/**
 * Comparison of a run with a baseline (the previous run, or `--baseline FILE|NAME`), pure.
 *
 * Per metric: previous, current, change (percentage points for rates) and a status. Rates and counts
 * are exact, so any change counts; response times are noisy, so they count only beyond a tolerance
 * (LATENCY_TOLERANCE: more than 50 % *and* more than 200 ms — a shared CI machine easily adds 25 %).
 *
 * Verdict: REGRESSION when any metric regressed or any check that passed in the baseline no longer
 * passes; otherwise IMPROVEMENT when any metric improved or any check newly passes; otherwise UNCHANGED.
 */
import type {
  BaselineRef,
  CheckChange,
  CheckStatus,
  Comparison,
  MetricComparison,
  MetricStatus,
  Report,
  Verdict,
} from './model.js';

export const LATENCY_TOLERANCE = { ratio: 0.5, ms: 200 } as const;

/** Rates differing by less than this are equal (floating-point noise, not a change). */
const RATE_EPSILON = 1e-9;

/** What a baseline contributes; a hand-written or older baseline may know only some of it. */
export interface BaselineData {
  ref: BaselineRef;
  suiteHash: string | null;
  successRate: number | null;
  total: number | null;
  errorRate: number | null;
  avgResponseMs: number | null;
  p95ResponseMs: number | null;
  /** Category name → success rate. */
  categories: ReadonlyMap<string, number | null>;
  /** Check id → status; null when the baseline does not list its checks. */
  checks: ReadonlyMap<string, { name: string; category: string; status: CheckStatus }> | null;
}

export function baselineFromReport(report: Report, file: string): BaselineData {
  return {
    ref: {
      id: report.run.id,
      startedAt: report.run.startedAt,
      configHash: report.run.stack.configHash,
      commit: report.run.git?.commit ?? null,
      file,
    },
    suiteHash: report.run.suite.hash,
    successRate: report.summary.successRate,
    total: report.summary.total,
    errorRate: report.summary.errorRate,
    avgResponseMs: report.summary.avgResponseMs,
    p95ResponseMs: report.summary.p95ResponseMs,
    categories: new Map(report.categories.map((c) => [c.name, c.successRate])),
    checks: new Map(report.checks.map((c) => [c.id, { name: c.name, category: c.category, status: c.status }])),
  };
}

type Direction = 'higher-better' | 'lower-better' | 'neutral' | 'latency';

function metricStatus(previous: number | null, current: number | null, direction: Direction): MetricStatus {
  if (previous === null || current === null) return 'n/a';
  const delta = current - previous;
  if (direction === 'neutral') return Math.abs(delta) < RATE_EPSILON ? 'same' : 'changed';
  if (direction === 'latency') {
    const tolerance = Math.max(previous * LATENCY_TOLERANCE.ratio, LATENCY_TOLERANCE.ms);
    if (delta > tolerance) return 'regression';
    if (-delta > tolerance) return 'improvement';
    return 'same';
  }
  if (Math.abs(delta) < RATE_EPSILON) return 'same';
  const better = direction === 'higher-better' ? delta > 0 : delta < 0;
  return better ? 'improvement' : 'regression';
}

function metric(
  id: string,
  label: string,
  unit: MetricComparison['unit'],
  previous: number | null,
  current: number | null,
  direction: Direction,
): MetricComparison {
  return {
    id,
    label,
    unit,
    previous,
    current,
    change: previous === null || current === null ? null : current - previous,
    status: metricStatus(previous, current, direction),
  };
}

export function compareReports(current: Report, baseline: BaselineData): Comparison {
  const metrics: MetricComparison[] = [
    metric('success_rate', 'Overall success rate', '%', baseline.successRate, current.summary.successRate, 'higher-better'),
    metric('total', 'Total checks', 'count', baseline.total, current.summary.total, 'neutral'),
  ];
  const categoryNames = current.categories.map((c) => c.name);
  for (const name of baseline.categories.keys()) if (!categoryNames.includes(name)) categoryNames.push(name);
  for (const name of categoryNames) {
    const now = current.categories.find((c) => c.name === name);
    metrics.push(
      metric(`category:${name}`, name, '%', baseline.categories.get(name) ?? null, now ? now.successRate : null, 'higher-better'),
    );
  }
  metrics.push(
    metric('avg_response_ms', 'Average response time', 'ms', baseline.avgResponseMs, current.summary.avgResponseMs, 'latency'),
    metric('p95_response_ms', 'p95 response time', 'ms', baseline.p95ResponseMs, current.summary.p95ResponseMs, 'latency'),
    metric('error_rate', 'Error rate', '%', baseline.errorRate, current.summary.errorRate, 'lower-better'),
  );

  const newlyFailing: CheckChange[] = [];
  const newlyPassing: CheckChange[] = [];
  const added: CheckChange[] = [];
  const removed: CheckChange[] = [];
  if (baseline.checks) {
    for (const check of current.checks) {
      const before = baseline.checks.get(check.id);
      const change: CheckChange = {
        id: check.id,
        name: check.name,
        category: check.category,
        previous: before?.status ?? null,
        current: check.status,
      };
      if (!before) {
        added.push(change);
      } else if (before.status === 'passed' && check.status !== 'passed') {
        if (check.message !== undefined) change.message = check.message;
        newlyFailing.push(change);
      } else if (before.status !== 'passed' && check.status === 'passed') {
        newlyPassing.push(change);
      }
    }
    const currentIds = new Set(current.checks.map((c) => c.id));
    for (const [id, before] of baseline.checks) {
      if (!currentIds.has(id)) {
        removed.push({ id, name: before.name, category: before.category, previous: before.status, current: null });
      }
    }
  }

  let verdict: Verdict = 'UNCHANGED';
  if (metrics.some((m) => m.status === 'regression') || newlyFailing.length > 0) verdict = 'REGRESSION';
  else if (metrics.some((m) => m.status === 'improvement') || newlyPassing.length > 0) verdict = 'IMPROVEMENT';

  return {
    baseline: baseline.ref,
    metrics,
    newlyFailing,
    newlyPassing,
    added,
    removed,
    configChanged: baseline.ref.configHash !== null && baseline.ref.configHash !== current.run.stack.configHash,
    suiteChanged: baseline.suiteHash !== null && baseline.suiteHash !== current.run.suite.hash,
    verdict,
  };
}
