/** Every validation rule, in the order of the rule table (docs/validate.md is generated from this list). */
import type { Rule } from './rule.js';
import { unsetVariable } from './rules/unset-variable.js';
import { emptyVariable } from './rules/empty-variable.js';
import { requiresEnv } from './rules/requires-env.js';
import { emptyProbeCredential } from './rules/empty-probe-credential.js';
import { redisUrlCredentials } from './rules/redis-url-credentials.js';
import { databaseUrlCredentials } from './rules/database-url-credentials.js';
import { databaseUrlName } from './rules/database-url-name.js';
import { probeCredentials } from './rules/probe-credentials.js';
import { guessableSecret } from './rules/guessable-secret.js';
import { urlUnknownHost } from './rules/url-unknown-host.js';
import { urlWrongPort } from './rules/url-wrong-port.js';
import { urlMissingDependency } from './rules/url-missing-dependency.js';
import { urlLoopback } from './rules/url-loopback.js';
import { buildContextMissing } from './rules/build-context-missing.js';
import { dockerfileMissing } from './rules/dockerfile-missing.js';
import { copySourceMissing } from './rules/copy-source-missing.js';
import { copySourceOutside } from './rules/copy-source-outside.js';
import { copySourceIgnored } from './rules/copy-source-ignored.js';
import { requirementOutsideContext } from './rules/requirement-outside-context.js';
import { unknownDependency } from './rules/unknown-dependency.js';
import { dependencyCycle } from './rules/dependency-cycle.js';
import { readyWithoutProbe } from './rules/ready-without-probe.js';
import { completedLongRunning } from './rules/completed-long-running.js';
import { duplicateHostPort } from './rules/duplicate-host-port.js';
import { hostPortInUse } from './rules/host-port-in-use.js';
import { probePort } from './rules/probe-port.js';
import { undeclaredVolume } from './rules/undeclared-volume.js';
import { undeclaredNetwork } from './rules/undeclared-network.js';
import { noImage } from './rules/no-image.js';
import { COMPOSE_LOAD_CODES, COMPOSE_RULES } from './rules/compose-rules.js';

export const RULES: readonly Rule[] = [
  unsetVariable,
  emptyVariable,
  requiresEnv,
  emptyProbeCredential,
  redisUrlCredentials,
  databaseUrlCredentials,
  databaseUrlName,
  probeCredentials,
  guessableSecret,
  urlUnknownHost,
  urlWrongPort,
  urlMissingDependency,
  urlLoopback,
  buildContextMissing,
  dockerfileMissing,
  copySourceMissing,
  copySourceOutside,
  copySourceIgnored,
  requirementOutsideContext,
  unknownDependency,
  dependencyCycle,
  readyWithoutProbe,
  completedLongRunning,
  duplicateHostPort,
  hostPortInUse,
  probePort,
  undeclaredVolume,
  undeclaredNetwork,
  noImage,
  ...COMPOSE_RULES,
];

/**
 * Codes produced while loading (before rules run), documented in the same table.
 */
export const LOAD_CODES: ReadonlyArray<{ code: string; severity: 'error' | 'warning' | 'info'; summary: string; leavesAlone?: string }> = [
  { code: 'FILE001', severity: 'error', summary: 'The stack file cannot be read' },
  { code: 'FILE002', severity: 'error', summary: 'Several -f files given, one of them a stack.yaml (only compose files are merged)' },
  { code: 'FILE003', severity: 'error', summary: 'The file is not a stack file (nor a compose file): its content is never echoed, at most its first key, shortened' },
  { code: 'YAML001', severity: 'error', summary: 'YAML syntax error (every one is reported, with line and column)' },
  { code: 'YAML002', severity: 'warning', summary: 'YAML warning (e.g. an unknown tag)' },
  { code: 'INTERP001', severity: 'error', summary: 'Malformed interpolation (`$` not followed by a name, `{` or `$`; unclosed `${`)', leavesAlone: '`$$` (a literal `$`); `x-` extension blocks (their values reach services through anchors)' },
  { code: 'INTERP002', severity: 'error', summary: '`${VAR:?message}` / `${VAR?message}` with VAR unset (or empty): the message is shown' },
  { code: 'ENVFILE001', severity: 'error', summary: 'An env_file does not exist or cannot be read' },
  { code: 'ENVFILE002', severity: 'warning', summary: "The stack's own env_file (e.g. .env) does not exist: its variables will be unset", leavesAlone: "A compose project's `.env` (optional in compose; unset variables are ENV001's findings)" },
  { code: 'ENVFILE003', severity: 'error', summary: 'An env file line is not KEY=value, or a quoted value is never closed' },
  { code: 'SCHEMA001', severity: 'error', summary: 'A value has the wrong type or format (port, duration, restart policy, …)' },
  { code: 'SCHEMA002', severity: 'error', summary: 'Unknown key, with "did you mean"' },
  { code: 'SCHEMA003', severity: 'error', summary: 'A required key is missing (`name`, `services`, `image`/`build`, …)' },
  { code: 'SCHEMA004', severity: 'error', summary: 'A readiness probe is incomplete or ambiguous (no kind, two kinds, no port)' },
  { code: 'TEMPLATE001', severity: 'error', summary: 'A readiness template (`use:`) is missing, invalid, or lacks a `with:` parameter' },
  ...COMPOSE_LOAD_CODES,
];

export function ruleByCode(code: string): Rule | undefined {
  return RULES.find((rule) => rule.code === code);
}
