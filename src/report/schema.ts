/**
 * Reading reports back: the zod schema of report.json (version 1), and the smaller `stackctl.baseline`
 * document a person can write by hand when all they know of the previous state is a few figures
 * ("Previous Baseline: 21.6% success rate").
 */
import { z } from 'zod';
import { REPORT_SCHEMA, REPORT_SCHEMA_VERSION, type Report } from './model.js';
import type { BaselineData } from './compare.js';

export const BASELINE_SCHEMA = 'stackctl.baseline';

const num = z.number().finite();
const nullableNum = num.nullable();
const status = z.enum(['passed', 'failed', 'skipped']);

const rootCause = z
  .object({
    service: z.string(),
    source: z.enum(['up', 'runtime', 'check']),
    code: z.string(),
    summary: z.string(),
    hint: z.string(),
    evidence: z.string().optional(),
    blockedBy: z.string().optional(),
  })
  .passthrough();

const counts = {
  total: num,
  passed: num,
  failed: num,
  skipped: num,
  successRate: num,
};

const checkResult = z
  .object({
    id: z.string(),
    name: z.string(),
    category: z.string(),
    kind: z.enum(['http', 'tcp', 'postgres', 'redis', 'load', 'metric', 'external', 'browser']),
    service: z.string().optional(),
    status,
    message: z.string().optional(),
    hint: z.string().optional(),
    rootCause: rootCause.optional(),
    startedAt: z.string(),
    durationMs: num,
    latencyMs: num.optional(),
    request: z.object({ method: z.string(), url: z.string() }).optional(),
    response: z.object({ status: num }).optional(),
    measurements: z.record(num).optional(),
    requires: z.array(z.string()).optional(),
    health: z.boolean().optional(),
  })
  .passthrough();

const checkChange = z
  .object({
    id: z.string(),
    name: z.string(),
    category: z.string(),
    previous: status.nullable(),
    current: status.nullable(),
    message: z.string().optional(),
  })
  .passthrough();

export const reportSchema = z
  .object({
    schema: z.literal(REPORT_SCHEMA),
    schemaVersion: z.number().int().min(1).max(REPORT_SCHEMA_VERSION),
    run: z
      .object({
        id: z.string(),
        startedAt: z.string(),
        finishedAt: z.string(),
        durationMs: num,
        stack: z.object({ name: z.string(), file: z.string(), configHash: z.string() }),
        suite: z.object({ name: z.string(), file: z.string(), hash: z.string() }),
        git: z.object({ commit: z.string(), branch: z.string().optional(), dirty: z.boolean() }).optional(),
        stackctlVersion: z.string(),
        cancelled: z.boolean(),
      })
      .passthrough(),
    status: z.enum(['PASSED', 'FAILED']),
    summary: z
      .object({ ...counts, errorRate: num, avgResponseMs: nullableNum, p95ResponseMs: nullableNum })
      .passthrough(),
    thresholds: z.object({ successRate: num, avgResponseMs: num, errorRate: num }),
    criteria: z.array(
      z
        .object({
          id: z.string(),
          label: z.string(),
          operator: z.enum(['>', '<', '>=']),
          threshold: num,
          unit: z.enum(['%', 'ms']),
          actual: nullableNum,
          met: z.boolean(),
        })
        .passthrough(),
    ),
    categories: z.array(z.object({ name: z.string(), ...counts }).passthrough()),
    services: z.array(
      z
        .object({
          name: z.string(),
          port: num.optional(),
          status: z.enum(['up', 'down', 'degraded', 'unknown']),
          issue: z.string().optional(),
          responseMs: num.optional(),
          checks: z.object(counts),
          rootCause: rootCause.optional(),
        })
        .passthrough(),
    ),
    performance: z
      .object({
        samples: num,
        avgResponseMs: nullableNum,
        p50ResponseMs: nullableNum,
        p95ResponseMs: nullableNum,
        maxResponseMs: nullableNum,
        errorRate: num,
        slowest: z.array(z.object({ id: z.string(), name: z.string(), latencyMs: num })),
        load: z.array(
          z.object({
            id: z.string(),
            name: z.string(),
            requests: num,
            concurrency: num,
            successRate: num,
            avgMs: num,
            p95Ms: num,
            maxMs: num,
          }),
        ),
      })
      .passthrough(),
    checks: z.array(checkResult),
    comparison: z
      .object({
        baseline: z.object({
          id: z.string(),
          startedAt: z.string().nullable(),
          configHash: z.string().nullable(),
          commit: z.string().nullable(),
          file: z.string(),
        }),
        metrics: z.array(
          z
            .object({
              id: z.string(),
              label: z.string(),
              unit: z.enum(['%', 'ms', 'count']),
              previous: nullableNum,
              current: nullableNum,
              change: nullableNum,
              status: z.enum(['regression', 'improvement', 'same', 'changed', 'n/a']),
            })
            .passthrough(),
        ),
        newlyFailing: z.array(checkChange),
        newlyPassing: z.array(checkChange),
        added: z.array(checkChange),
        removed: z.array(checkChange),
        configChanged: z.boolean(),
        suiteChanged: z.boolean(),
        verdict: z.enum(['REGRESSION', 'IMPROVEMENT', 'UNCHANGED']),
      })
      .passthrough()
      .optional(),
    files: z
      .object({ dir: z.string(), json: z.string(), markdown: z.string(), html: z.string(), junit: z.string() })
      .optional(),
  })
  .passthrough();

/** A hand-written baseline: only `successRate` is required. */
export const baselineSchema = z
  .object({
    schema: z.literal(BASELINE_SCHEMA),
    schemaVersion: z.literal(1),
    /** A name shown in the comparison, e.g. "before the infrastructure fixes". */
    name: z.string().default('hand-written baseline'),
    recordedAt: z.string().optional(),
    successRate: num.min(0).max(100),
    total: num.int().min(0).optional(),
    errorRate: num.min(0).max(100).optional(),
    avgResponseMs: num.min(0).optional(),
    p95ResponseMs: num.min(0).optional(),
    categories: z.record(num.min(0).max(100)).optional(),
    checks: z.record(status).optional(),
  })
  .strict();

export type BaselineDocument = z.infer<typeof baselineSchema>;

export function baselineFromDocument(doc: BaselineDocument, file: string): BaselineData {
  return {
    ref: { id: doc.name, startedAt: doc.recordedAt ?? null, configHash: null, commit: null, file },
    suiteHash: null,
    successRate: doc.successRate,
    total: doc.total ?? null,
    errorRate: doc.errorRate ?? null,
    avgResponseMs: doc.avgResponseMs ?? null,
    p95ResponseMs: doc.p95ResponseMs ?? null,
    categories: new Map(Object.entries(doc.categories ?? {})),
    checks: doc.checks
      ? new Map(Object.entries(doc.checks).map(([id, s]) => [id, { name: id, category: '', status: s }]))
      : null,
  };
}

export function asReport(value: z.infer<typeof reportSchema>): Report {
  return value as unknown as Report;
}
