/**
 * The zod schema of a suite file (version 1). Strict objects everywhere, so a misspelt key is an error
 * at its line with a "did you mean". docs/suite-report.md documents each key.
 */
import { z } from 'zod';

const duration = z.union([z.string(), z.number().nonnegative()]);
const stringMap = z.record(z.union([z.string(), z.number(), z.boolean()]).transform(String));
const statusSpec = z.union([z.number().int(), z.string(), z.array(z.union([z.number().int(), z.string()])).min(1)]);

const jsonMatcher = z
  .object({
    equals: z.unknown().optional(),
    exists: z.boolean().optional(),
    matches: z.string().optional(),
    type: z.enum(['string', 'number', 'boolean', 'object', 'array', 'null']).optional(),
    min_length: z.number().int().nonnegative().optional(),
    gte: z.number().optional(),
    lte: z.number().optional(),
  })
  .strict();

const expectSchema = z
  .object({
    status: statusSpec.optional(),
    body: z.string().optional(),
    json: z.record(z.union([jsonMatcher, z.string(), z.number(), z.boolean(), z.null(), z.array(z.unknown())])).optional(),
    headers: z.record(z.string()).optional(),
    max_ms: z.number().positive().optional(),
  })
  .strict();

const captureSchema = z.union([
  z.string(),
  z
    .object({
      json: z.string().optional(),
      header: z.string().optional(),
      regex: z.string().optional(),
      group: z.number().int().nonnegative().optional(),
      secret: z.boolean().optional(),
    })
    .strict(),
]);

const requestFields = {
  method: z.string().regex(/^[A-Za-z]+$/, 'an HTTP method such as GET or POST').optional(),
  url: z.string().optional(),
  path: z.string().optional(),
  headers: stringMap.optional(),
  json: z.unknown().optional(),
  body: z.string().optional(),
  follow_redirects: z.boolean().optional(),
};

const httpSchema = z.object(requestFields).strict();

const endpointFields = {
  host: z.string().optional(),
  port: z.union([z.number().int().positive(), z.string()]).optional(),
};

const loadSchema = z
  .object({
    ...requestFields,
    requests: z.number().int().positive().max(10_000).optional(),
    concurrency: z.number().int().positive().max(1000).optional(),
    status: statusSpec.optional(),
    min_success_rate: z.number().min(0).max(100).optional(),
    max_avg_ms: z.number().positive().optional(),
    max_p95_ms: z.number().positive().optional(),
    max_ms: z.number().positive().optional(),
  })
  .strict();

const metricSchema = z
  .object({
    name: z.enum(['avg_response_ms', 'p95_response_ms', 'error_rate', 'success_rate']),
    max: z.number().optional(),
    min: z.number().optional(),
  })
  .strict();

const externalSchema = z
  .object({
    command: z.union([z.string().min(1), z.array(z.string()).min(1)]),
    cwd: z.string().optional(),
    env: stringMap.optional(),
    junit: z.string().optional(),
  })
  .strict();

const browserStep = z.union([
  z.object({ goto: z.string() }).strict(),
  z.object({ fill: z.record(z.string()) }).strict(),
  z.object({ click: z.string() }).strict(),
  z.object({ press: z.object({ selector: z.string(), key: z.string() }).strict() }).strict(),
  z.object({ wait_for: z.string() }).strict(),
  z.object({ expect_url: z.string() }).strict(),
  z.object({ expect_text: z.object({ selector: z.string(), text: z.string() }).strict() }).strict(),
  z.object({ expect_count: z.object({ selector: z.string(), min: z.number().int().nonnegative(), max: z.number().int().nonnegative().optional() }).strict() }).strict(),
]);

const browserSchema = z
  .object({
    url: z.string().optional(),
    steps: z.array(browserStep).min(1),
  })
  .strict();

export const CHECK_KINDS = ['http', 'tcp', 'postgres', 'redis', 'load', 'metric', 'external', 'browser'] as const;

export const checkSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._/-]*$/, 'lower-case letters, digits, ".", "_", "-" and "/"').optional(),
    name: z.string().min(1),
    service: z.string().optional(),
    health: z.boolean().optional(),
    requires: z.union([z.string(), z.array(z.string())]).optional(),
    skip_reason: z.string().optional(),
    hint: z.string().optional(),
    timeout: duration.optional(),
    expect: expectSchema.optional(),
    capture: z.record(captureSchema).optional(),
    http: httpSchema.optional(),
    tcp: z.object(endpointFields).strict().optional(),
    postgres: z
      .object({ ...endpointFields, user: z.string(), password: z.string(), database: z.string() })
      .strict()
      .optional(),
    redis: z.object({ ...endpointFields, password: z.string().optional() }).strict().optional(),
    load: loadSchema.optional(),
    metric: metricSchema.optional(),
    external: externalSchema.optional(),
    browser: browserSchema.optional(),
  })
  .strict();

export const suiteSchema = z
  .object({
    version: z.literal(1),
    name: z.string().min(1),
    description: z.string().optional(),
    defaults: z
      .object({
        timeout: duration.optional(),
        headers: stringMap.optional(),
      })
      .strict()
      .optional(),
    vars: z.record(z.union([z.string(), z.number(), z.object({ value: z.union([z.string(), z.number()]), secret: z.boolean().optional() }).strict()])).optional(),
    secrets: z.array(z.string()).optional(),
    criteria: z.object({ categories: z.record(z.number().min(0).max(100)) }).strict().optional(),
    categories: z
      .array(
        z
          .object({
            name: z.string().min(1),
            health: z.boolean().optional(),
            checks: z.array(checkSchema).min(1),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export type SuiteFile = z.infer<typeof suiteSchema>;
export type CheckFile = z.infer<typeof checkSchema>;
