import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ReportInput } from '../../../src/report/build-report.js';
import type { CheckResult, RunInfo } from '../../../src/report/model.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/report/', import.meta.url));

/** The recorded result set of the seed post-mortem (2025-08-07 18:19:42). */
export function seedInput(): ReportInput {
  return JSON.parse(readFileSync(`${FIXTURES}seed-2025-08-07.results.json`, 'utf8')) as ReportInput;
}

let n = 0;
export function check(partial: Partial<CheckResult> & Pick<CheckResult, 'status'>): CheckResult {
  n++;
  return { id: `c/${n}`, name: `check ${n}`, category: 'A', kind: 'http', startedAt: '2025-01-01T00:00:00.000Z', durationMs: 1, ...partial };
}

export const RUN: RunInfo = {
  id: 'r1',
  startedAt: '2025-01-01T00:00:00.000Z',
  finishedAt: '2025-01-01T00:00:01.000Z',
  durationMs: 1000,
  stack: { name: 's', file: '/s/stack.yaml', configHash: 'a'.repeat(64) },
  suite: { name: 's', file: '/s/suite.yaml', hash: 'b'.repeat(64) },
  stackctlVersion: '0.1.0',
  cancelled: false,
};
