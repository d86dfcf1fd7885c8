/**
 * The example stack's environment for benchmarks and integration tests, read from .env.example: its
 * settings as they are and a fresh random secret for every "change-me" (as scripts/gen-env.sh writes
 * .env), never the checkout's .env.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ENV_EXAMPLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../.env.example');

/** Every variable of .env.example, fresh each call: a 24-byte hex secret for each "change-me". */
export function exampleVariables() {
  const values = {};
  for (const [name, value] of envExampleEntries()) values[name] = value === 'change-me' ? freshSecret() : value;
  return values;
}

/** Only the secrets of .env.example (its "change-me" variables), each with a fresh value. */
export function freshSecrets() {
  return Object.fromEntries(envExampleEntries().filter(([, value]) => value === 'change-me').map(([name]) => [name, freshSecret()]));
}

function envExampleEntries() {
  const entries = [];
  for (const line of readFileSync(ENV_EXAMPLE, 'utf8').split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match) entries.push([match[1], match[2]]);
  }
  return entries;
}

const freshSecret = () => randomBytes(24).toString('hex');

/** The example stack's secrets and settings, fresh each call, and no host port variable. */
export function exampleSecrets() {
  return Object.fromEntries(Object.entries(exampleVariables()).filter(([name]) => !name.endsWith('_PORT')));
}

/** The example's host port variables pinned from `base` on: base … base + 3, + 6 … + 8 as in 8000-8008, the frontend at + 9. */
export function examplePortsFrom(base) {
  const at = (offset) => String(base + offset);
  return {
    API_GATEWAY_PORT: at(0),
    MCP_SERVER_PORT: at(1),
    AIRTABLE_GATEWAY_PORT: at(2),
    LLM_ORCHESTRATOR_PORT: at(3),
    AUTOMATION_SERVICES_PORT: at(6),
    PLATFORM_SERVICES_PORT: at(7),
    SAGA_ORCHESTRATOR_PORT: at(8),
    FRONTEND_PORT: at(9),
  };
}

/**
 * The environment a benchmark runs the example stack with: fresh secrets, no colour, and none of
 * the checkout's pinned ports or project name, so the engine chooses every host port and the copy
 * never collides with a running stack.
 */
export function exampleEnv() {
  const secrets = exampleSecrets();
  const env = { ...process.env, ...secrets, NO_COLOR: '1' };
  for (const name of Object.keys(env)) if (/_PORT$/.test(name) || name === 'STACKCTL_PROJECT_NAME') delete env[name];
  return { secrets, env };
}
