/**
 * The compose rules (COMPOSE101–108), in rule-table order. They judge any stack, but exist for what
 * compose files get wrong; registry.ts lists them after its own rules.
 */
import type { Rule } from '../rule.js';
import { composeReadyMeant } from './compose-ready-meant.js';
import { composeMissingHealthcheck } from './compose-missing-healthcheck.js';
import { composeDefaultSecret } from './compose-default-secret.js';
import { composeHealthcheckTool } from './compose-healthcheck-tool.js';
import { composeEnvNameDrift } from './compose-env-name-drift.js';
import { composeBindMount } from './compose-bind-mount.js';
import { composePortEnv } from './compose-port-env.js';
import { composeHealthcheckVacuous } from './compose-healthcheck-vacuous.js';

export const COMPOSE_RULES: readonly Rule[] = [
  composeReadyMeant,
  composeMissingHealthcheck,
  composeDefaultSecret,
  composeHealthcheckTool,
  composeEnvNameDrift,
  composeBindMount,
  composePortEnv,
  composeHealthcheckVacuous,
];

/** Codes the compose loader itself produces, for the rule table. */
export const COMPOSE_LOAD_CODES: ReadonlyArray<{ code: string; severity: 'error' | 'warning' | 'info'; summary: string; leavesAlone?: string }> = [
  { code: 'COMPOSE001', severity: 'info', summary: 'A compose key stackctl does not apply (named by its key path); docker compose still applies it (info: the file is fine)', leavesAlone: '`x-` extensions anywhere compose allows them' },
  { code: 'COMPOSE002', severity: 'error', summary: 'An unknown compose key (with "did you mean") or a value of the wrong shape', leavesAlone: 'A healthcheck without `test` (the image HEALTHCHECK applies; info)' },
  { code: 'COMPOSE003', severity: 'error', summary: '`extends` names a missing file or service, or forms a cycle' },
  { code: 'COMPOSE005', severity: 'info', summary: 'The obsolete top-level `version:` (ignored)' },
  { code: 'COMPOSE006', severity: 'error', summary: 'Not a compose file: empty, or no `services:` mapping' },
  { code: 'COMPOSE007', severity: 'error', summary: '`include` names a file that cannot be read, forms a cycle, or defines a service the including file defines too' },
  { code: 'COMPOSE008', severity: 'error', summary: 'A started service depends on a service whose profile is not active' },
];
