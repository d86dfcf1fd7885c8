/** The whole report (without comparison or files) from a run's results: the arithmetic's figures put together. Pure. */
import type { Thresholds } from '../config/model.js';
import { evaluateCriteria, summarize, summarizeCategories, summarizePerformance, summarizeServices, type ServiceInput } from './arithmetic.js';
import { REPORT_SCHEMA, REPORT_SCHEMA_VERSION, type CheckResult, type Report, type RunInfo } from './model.js';

export interface ReportInput {
  run: RunInfo;
  thresholds: Thresholds;
  /** Per-category minimum success rates (the suite's `criteria.categories`). */
  categoryThresholds?: Readonly<Record<string, number>>;
  /** Category order as in the suite. */
  categoryOrder?: readonly string[];
  checks: CheckResult[];
  services: readonly ServiceInput[];
}

export function buildReport(input: ReportInput): Report {
  const summary = summarize(input.checks);
  const categories = summarizeCategories(input.checks, input.categoryOrder);
  const criteria = evaluateCriteria(summary, categories, input.thresholds, input.categoryThresholds);
  return {
    schema: REPORT_SCHEMA,
    schemaVersion: REPORT_SCHEMA_VERSION,
    run: input.run,
    status: criteria.every((c) => c.met) ? 'PASSED' : 'FAILED',
    summary,
    thresholds: { ...input.thresholds },
    criteria,
    categories,
    services: summarizeServices(input.checks, input.services),
    performance: summarizePerformance(input.checks),
    checks: input.checks,
  };
}
