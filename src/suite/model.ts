/**
 * The normalised integration suite: what load-suite.ts makes of a suite file and what the runner
 * walks. Strings that may hold `${…}` templates stay templates here; they are resolved when the check
 * runs (captures exist only then). docs/suite-report.md is the reference of the file format.
 */
import type { SourceLocation } from '../errors.js';
import type { CheckKind } from '../report/model.js';

/** `200`, `[200, 201]`, `2xx`, `200-299`: normalised to ranges. */
export type StatusExpectation = Array<{ min: number; max: number }>;

/** A JSON field expectation: equality with a (templated) value, or a matcher. */
export type JsonMatcher =
  | { op: 'equals'; value: unknown }
  | { op: 'exists'; value: boolean }
  | { op: 'matches'; pattern: string }
  | { op: 'type'; type: 'string' | 'number' | 'boolean' | 'object' | 'array' | 'null' }
  | { op: 'min_length'; value: number }
  | { op: 'gte'; value: number }
  | { op: 'lte'; value: number };

export interface HttpExpectation {
  status: StatusExpectation;
  /** Regular expressions the body must match. */
  body?: string;
  /** Dot/bracket path (`records[0].id`) → matchers, all of which must hold. */
  json: Array<{ path: string; matchers: JsonMatcher[] }>;
  /** Header name (lower case) → regular expression. */
  headers: Record<string, string>;
  /** Response time limit. */
  maxMs?: number;
}

export interface Capture {
  name: string;
  /** A JSON field; a header (optionally narrowed by a regex, e.g. a cookie's name=value); a regex on the body. */
  from: { json: string } | { header: string; regex?: string; group: number } | { regex: string; group: number };
  /** Redacted from every output from the moment it is captured. */
  secret: boolean;
}

export interface HttpRequestSpec {
  method: string;
  /** Template of the full URL (the `path:` form is turned into `${services.<service>.url}<path>`). */
  url: string;
  headers: Record<string, string>;
  /** Raw body template, or a JSON value whose strings are templates. */
  body?: { kind: 'text'; text: string } | { kind: 'json'; value: unknown };
  followRedirects: boolean;
}

export interface HttpCheckSpec {
  kind: 'http';
  request: HttpRequestSpec;
  expect: HttpExpectation;
  captures: Capture[];
}

export interface TcpCheckSpec {
  kind: 'tcp';
  /** Template of the host (default `${services.<service>.host}`) and the port. */
  host: string;
  port: string;
}

export interface PostgresCheckSpec {
  kind: 'postgres';
  host: string;
  port: string;
  user: string;
  password: string;
  database: string;
}

export interface RedisCheckSpec {
  kind: 'redis';
  host: string;
  port: string;
  password?: string;
}

export interface LoadCheckSpec {
  kind: 'load';
  request: HttpRequestSpec;
  requests: number;
  concurrency: number;
  /** Per-request status expectation. */
  status: StatusExpectation;
  /** Minimum percentage of requests that must meet `status` (default 100). */
  minSuccessRate: number;
  maxAvgMs?: number;
  maxP95Ms?: number;
  maxMs?: number;
}

export type SuiteMetric = 'avg_response_ms' | 'p95_response_ms' | 'error_rate' | 'success_rate';

export interface MetricCheckSpec {
  kind: 'metric';
  metric: SuiteMetric;
  max?: number;
  min?: number;
}

export interface ExternalCheckSpec {
  kind: 'external';
  /** argv templates; a string command is run through `sh -c`. */
  command: string[];
  shell: boolean;
  cwd: string;
  env: Record<string, string>;
  /** Template of the JUnit file the command writes (default `${step.junit}`, a fresh temp path). */
  junit: string;
}

export type BrowserStep =
  | { goto: string }
  | { fill: Record<string, string> }
  | { click: string }
  | { press: { selector: string; key: string } }
  | { wait_for: string }
  | { expect_url: string }
  | { expect_text: { selector: string; text: string } }
  | { expect_count: { selector: string; min: number; max?: number } };

export interface BrowserCheckSpec {
  kind: 'browser';
  /** Base URL template relative `goto` paths are resolved against. */
  baseUrl: string;
  steps: Array<{ step: BrowserStep; location: SourceLocation }>;
}

export type CheckSpec =
  | HttpCheckSpec
  | TcpCheckSpec
  | PostgresCheckSpec
  | RedisCheckSpec
  | LoadCheckSpec
  | MetricCheckSpec
  | ExternalCheckSpec
  | BrowserCheckSpec;

export interface SuiteCheck {
  /** Unique in the suite: `<category slug>/<check slug>` unless the file says otherwise. */
  id: string;
  name: string;
  category: string;
  kind: CheckKind;
  service?: string;
  /** The service's health check (decides UP/DOWN in the report's service table). */
  health: boolean;
  /** Ids of earlier checks that must have passed (explicit `requires:` plus capture providers). */
  requires: string[];
  /** Shown as the reason when a prerequisite did not pass, e.g. "No session tokens". */
  skipReason?: string;
  hint?: string;
  timeoutMs: number;
  spec: CheckSpec;
  location: SourceLocation;
}

export interface SuiteVar {
  name: string;
  value: string;
  secret: boolean;
}

export interface Suite {
  name: string;
  /** Absolute path. */
  file: string;
  /** sha256 of the file's text: a changed suite is noted in comparisons. */
  hash: string;
  categories: string[];
  checks: SuiteCheck[];
  vars: SuiteVar[];
  /** Environment variable names whose values are secret (besides the stack's). */
  secrets: string[];
  /** Per-category minimum success rates. */
  categoryCriteria: Record<string, number>;
}

export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;
export const DEFAULT_EXTERNAL_TIMEOUT_MS = 300_000;
export const DEFAULT_BROWSER_TIMEOUT_MS = 30_000;
