/**
 * The report's arithmetic, pure: counts, success and error rates, response-time statistics, the
 * service table and the success criteria, from a run's check results (build-report.ts puts them together).
 *
 * Definitions (docs/suite-report.md repeats them):
 * - success rate = passed / total × 100, skipped counted as not passed (0 when there are no checks);
 * - error rate   = failed / (passed + failed) × 100: the share of executed checks that failed;
 * - response times: one figure per check that received a response (`latencyMs`); a load check
 *   contributes its own average; p50/p95 use the nearest-rank method.
 */
import type { Thresholds } from '../config/model.js';
import { mean, percentile } from '../stats.js';
import type {
  CategorySummary,
  CheckResult,
  CheckRootCause,
  Counts,
  Criterion,
  LoadSummary,
  Performance,
  ServiceSummary,
  Summary,
} from './model.js';

export function countResults(checks: readonly CheckResult[]): Counts {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const check of checks) {
    if (check.status === 'passed') passed++;
    else if (check.status === 'failed') failed++;
    else skipped++;
  }
  const total = checks.length;
  return { total, passed, failed, skipped, successRate: rate(passed, total) };
}

/** part / whole × 100; 0 when whole is 0. */
export function rate(part: number, whole: number): number {
  return whole === 0 ? 0 : (part / whole) * 100;
}

function latencies(checks: readonly CheckResult[]): number[] {
  return checks.filter((c) => c.status !== 'skipped' && c.latencyMs !== undefined).map((c) => c.latencyMs as number);
}

export function summarize(checks: readonly CheckResult[]): Summary {
  const counts = countResults(checks);
  const samples = latencies(checks);
  return {
    ...counts,
    errorRate: rate(counts.failed, counts.passed + counts.failed),
    avgResponseMs: mean(samples),
    p95ResponseMs: percentile(samples, 95),
  };
}

/** Categories in the given order (the suite's), then any others in order of first appearance. */
export function summarizeCategories(checks: readonly CheckResult[], order: readonly string[] = []): CategorySummary[] {
  const names = [...order];
  for (const check of checks) if (!names.includes(check.category)) names.push(check.category);
  return names
    .map((name) => ({ name, ...countResults(checks.filter((c) => c.category === name)) }))
    .filter((category) => category.total > 0 || order.includes(category.name));
}

export interface ServiceInput {
  name: string;
  port?: number;
  /** A diagnosis known for the service (from `up` or the runtime): it is down, whatever the checks say. */
  rootCause?: CheckRootCause;
}

/** A service's issue in one line: its own failure, or the dependency that kept it from starting. */
function describeCause(cause: CheckRootCause): string {
  return cause.blockedBy && cause.blockedBy !== cause.service ? `not started: blocked by ${cause.blockedBy} (${cause.summary})` : cause.summary;
}

export function summarizeServices(checks: readonly CheckResult[], services: readonly ServiceInput[]): ServiceSummary[] {
  return services.map((service) => {
    const own = checks.filter((c) => c.service === service.name);
    const health = own.filter((c) => c.health);
    const failedHealth = health.find((c) => c.status === 'failed');
    const otherFailure = own.find((c) => c.status === 'failed' && !c.health);
    const passedHealth = health.find((c) => c.status === 'passed');
    const rootCause = service.rootCause ?? failedHealth?.rootCause ?? otherFailure?.rootCause;
    let status: ServiceSummary['status'];
    let issue: string | undefined;
    if (service.rootCause || failedHealth) {
      status = 'down';
      issue = rootCause ? describeCause(rootCause) : failedHealth?.message;
      // Something answered on its port, but the stack's container is down: another process holds the port.
      if (service.rootCause && passedHealth && !failedHealth) {
        issue = `its port answers, but not from this stack's container (another process holds it?): ${describeCause(service.rootCause)}`;
      }
    } else if (otherFailure) {
      status = passedHealth || own.some((c) => c.status === 'passed') ? 'degraded' : 'down';
      issue = otherFailure.rootCause ? describeCause(otherFailure.rootCause) : otherFailure.message;
    } else if (passedHealth || (own.length > 0 && own.every((c) => c.status === 'passed'))) {
      status = 'up';
    } else {
      status = 'unknown';
      const skipped = own.find((c) => c.status === 'skipped');
      issue = skipped ? `not checked: ${skipped.message ?? 'skipped'}` : own.length === 0 ? 'no check targets this service' : undefined;
    }
    const summary: ServiceSummary = { name: service.name, status, checks: countResults(own) };
    if (service.port !== undefined) summary.port = service.port;
    if (issue !== undefined) summary.issue = issue;
    const responseMs = (passedHealth ?? failedHealth)?.latencyMs;
    if (responseMs !== undefined) summary.responseMs = responseMs;
    if (rootCause) summary.rootCause = rootCause;
    return summary;
  });
}

export function summarizePerformance(checks: readonly CheckResult[]): Performance {
  const executed = checks.filter((c) => c.status !== 'skipped' && c.latencyMs !== undefined);
  const samples = executed.map((c) => c.latencyMs as number);
  const counts = countResults(checks);
  const load: LoadSummary[] = checks
    .filter((c) => c.kind === 'load' && c.status !== 'skipped' && c.measurements)
    .map((c) => {
      const m = c.measurements ?? {};
      return {
        id: c.id,
        name: c.name,
        requests: m.requests ?? 0,
        concurrency: m.concurrency ?? 0,
        successRate: m.successRate ?? 0,
        avgMs: m.avgMs ?? 0,
        p95Ms: m.p95Ms ?? 0,
        maxMs: m.maxMs ?? 0,
      };
    });
  return {
    samples: samples.length,
    avgResponseMs: mean(samples),
    p50ResponseMs: percentile(samples, 50),
    p95ResponseMs: percentile(samples, 95),
    maxResponseMs: samples.length === 0 ? null : Math.max(...samples),
    errorRate: rate(counts.failed, counts.passed + counts.failed),
    slowest: [...executed]
      .sort((a, b) => (b.latencyMs as number) - (a.latencyMs as number) || a.id.localeCompare(b.id))
      .slice(0, 5)
      .map((c) => ({ id: c.id, name: c.name, latencyMs: c.latencyMs as number })),
    load,
  };
}

/**
 * The success criteria: overall success rate > threshold, average response < threshold, error rate <
 * threshold, and any per-category minimum the suite sets (`category > N%`).
 */
export function evaluateCriteria(
  summary: Summary,
  categories: readonly CategorySummary[],
  thresholds: Thresholds,
  categoryThresholds: Readonly<Record<string, number>> = {},
): Criterion[] {
  const criteria: Criterion[] = [
    {
      id: 'success_rate',
      label: 'Overall success rate',
      operator: '>',
      threshold: thresholds.successRate,
      unit: '%',
      actual: summary.successRate,
      met: summary.successRate > thresholds.successRate,
    },
    {
      id: 'avg_response_ms',
      label: 'Average response time',
      operator: '<',
      threshold: thresholds.avgResponseMs,
      unit: 'ms',
      actual: summary.avgResponseMs,
      met: summary.avgResponseMs === null || summary.avgResponseMs < thresholds.avgResponseMs,
    },
    {
      id: 'error_rate',
      label: 'Error rate',
      operator: '<',
      threshold: thresholds.errorRate,
      unit: '%',
      actual: summary.errorRate,
      met: summary.errorRate < thresholds.errorRate,
    },
  ];
  for (const [name, threshold] of Object.entries(categoryThresholds)) {
    const category = categories.find((c) => c.name === name);
    const actual = category ? category.successRate : null;
    criteria.push({
      id: `category:${name}`,
      label: `${name} success rate`,
      operator: '>',
      threshold,
      unit: '%',
      actual,
      met: actual !== null && actual > threshold,
    });
  }
  return criteria;
}
