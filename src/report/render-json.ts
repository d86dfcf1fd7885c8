/**
 * The JSON rendering: the report value itself (schema `stackctl.report`, documented field by field in
 * docs/suite-report.md), two-space indented, keys in the model's order.
 */
import type { Report } from './model.js';

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
