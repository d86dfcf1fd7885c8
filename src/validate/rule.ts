/**
 * A validation rule: a function of the loaded Stack (never of YAML syntax, so stack.yaml and compose
 * files go through the same rules) returning Diagnostics. One file per rule under rules/, listed in
 * registry.ts; the rule table in docs/validate.md is generated from the registry.
 */
import type { SourceLocation } from '../errors.js';
import type { Service, Stack } from '../config/model.js';
import type { DependencyGraph } from '../graph/graph.js';
import type { Diagnostic, Severity } from '../diagnostic.js';
import type { HostIndex } from './support/hosts.js';
import type { FileCache } from './support/files.js';

export type RuleCategory = 'env' | 'credentials' | 'urls' | 'build' | 'dependencies' | 'ports' | 'resources' | 'probes';

export interface RuleContext {
  stack: Stack;
  /** Services by name (O(1) lookups in rules that follow references). */
  services: ReadonlyMap<string, Service>;
  graph: DependencyGraph;
  hosts: HostIndex;
  files: FileCache;
  /** Whether rules may touch the machine (e.g. try to listen on host ports). */
  checkHostPorts: boolean;
}

export interface Rule {
  /** Stable code, e.g. ENV001. Never reused for another meaning. */
  code: string;
  /** Short kebab-case name, e.g. `unset-variable`. */
  name: string;
  category: RuleCategory;
  /** Default severity (a rule may raise or lower it per finding, and says so in `summary`). */
  severity: Severity;
  /** One line for the rule table: what it catches. */
  summary: string;
  /** What it deliberately leaves alone (look-alikes that are fine), for the rule table. */
  leavesAlone: string;
  check(ctx: RuleContext): Diagnostic[] | Promise<Diagnostic[]>;
}

export interface FindingInput {
  service?: string;
  location: SourceLocation;
  message: string;
  hint: string;
  severity?: Severity;
}

/** Builds a Diagnostic carrying the rule's code and (unless overridden) severity. */
export function finding(rule: Pick<Rule, 'code' | 'severity'>, input: FindingInput): Diagnostic {
  const diagnostic: Diagnostic = {
    code: rule.code,
    severity: input.severity ?? rule.severity,
    location: input.location,
    message: input.message,
    hint: input.hint,
  };
  if (input.service !== undefined) diagnostic.service = input.service;
  return diagnostic;
}
