/** Number, time and text formatting shared by the renderers, so every format prints the same figures. */
import type { CheckStatus, Criterion, MetricComparison, MetricStatus, Report, ServiceStatus, Verdict } from './model.js';

/** `17.1%`: one decimal, always. */
export function pct(value: number): string {
  return `${value.toFixed(1)}%`;
}

/** `5026 ms`, `3.4 ms` below 10 ms; `n/a` when unknown. */
export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined) return 'n/a';
  return value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`;
}

/** `190.11 s`. */
export function seconds(durationMs: number): string {
  return `${(durationMs / 1000).toFixed(2)} s`;
}

/** `2025-08-07 18:19:42 UTC`. */
export function timestamp(iso: string | null | undefined): string {
  if (!iso) return 'unknown';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function signed(value: number, digits: number): string {
  const text = value.toFixed(digits);
  if (Number(text) === 0) return (0).toFixed(digits);
  return value > 0 ? `+${text}` : text;
}

export function metricValue(metric: Pick<MetricComparison, 'unit'>, value: number | null): string {
  if (value === null) return 'unknown';
  if (metric.unit === '%') return pct(value);
  if (metric.unit === 'ms') return ms(value);
  return String(value);
}

/**
 * `-4.5 pp` for rates (percentage points), `+12 ms`, `+2`; `N/A` when a side is unknown. Computed
 * from the figures as displayed, so a row always adds up (114 ms → 107 ms is -7 ms, not -6).
 */
export function metricChange(metric: MetricComparison): string {
  if (metric.change === null || metric.previous === null || metric.current === null) return 'N/A';
  if (metric.unit === '%') return `${signed(Number(metric.current.toFixed(1)) - Number(metric.previous.toFixed(1)), 1)} pp`;
  if (metric.unit === 'ms') {
    const shown = (v: number): number => (v < 10 ? Number(v.toFixed(1)) : Math.round(v));
    const delta = shown(metric.current) - shown(metric.previous);
    return `${signed(delta, Number.isInteger(delta) ? 0 : 1)} ms`;
  }
  return signed(metric.change, 0);
}

export const METRIC_STATUS_TEXT: Record<MetricStatus, string> = {
  regression: '❌ REGRESSION',
  improvement: '✅ IMPROVEMENT',
  same: '➖ SAME',
  changed: '🔁 CHANGED',
  'n/a': 'N/A',
};

export const VERDICT_TEXT: Record<Verdict, string> = {
  REGRESSION: '❌ REGRESSION',
  IMPROVEMENT: '✅ IMPROVEMENT',
  UNCHANGED: '➖ UNCHANGED',
};

export const CHECK_STATUS_TEXT: Record<CheckStatus, string> = {
  passed: '✅ PASS',
  failed: '❌ FAIL',
  skipped: '⏭️ SKIPPED',
};

export const SERVICE_STATUS_TEXT: Record<ServiceStatus, string> = {
  up: '✅ UP',
  down: '❌ DOWN',
  degraded: '⚠️ DEGRADED',
  unknown: '❔ UNKNOWN',
};

/** A category's mark: ✅ when every check passed, ❌ otherwise (⏭️ when none ran). */
export function categoryMark(category: { total: number; passed: number; failed: number }): string {
  if (category.total > 0 && category.passed === category.total) return '✅';
  if (category.failed === 0 && category.passed === 0) return '⏭️';
  return '❌';
}

export function criterionText(criterion: Criterion): string {
  const unit = criterion.unit === '%' ? '%' : ' ms';
  return `${criterion.operator} ${criterion.threshold}${unit}`;
}

export function criterionActual(criterion: Criterion): string {
  if (criterion.actual === null) return 'not measured';
  return criterion.unit === '%' ? pct(criterion.actual) : ms(criterion.actual);
}

/** One line: newlines collapsed, cut at `max` characters. */
export function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The status line both the Markdown and the terminal summary start with. */
export function statusLine(report: Report): string {
  const parts = [report.status === 'PASSED' ? '✅ PASSED — every success criterion holds' : '❌ FAILED — success criteria not met'];
  if (report.comparison) parts.push(`${VERDICT_TEXT[report.comparison.verdict]} against ${report.comparison.baseline.id}`);
  if (report.run.cancelled) parts.push('⚠️ run cancelled before the end');
  return parts.join(' · ');
}
