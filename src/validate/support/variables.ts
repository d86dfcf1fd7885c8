/**
 * What rules need to know about `${VAR}` references: which ones are unset (compose substitutes ""), what
 * the value they land in feeds (a credential, a URL, a port, an image), and where an example env file
 * documents them. One unset variable is one finding (ENV001); rules whose finding would only restate
 * it (an empty password in a URL built from `${REDIS_PASSWORD}`) ask `unsetIn` and stay quiet.
 */
import path from 'node:path';
import type { Service, Stack, VariableReference } from '../../config/model.js';
import { isSecretName } from '../../config/secret-values.js';
import type { FileCache } from './files.js';

/** A reference compose replaces with "" because the variable is unset and no operator handles it. */
export function isUnset(ref: VariableReference): boolean {
  return ref.value === undefined && ref.operator === undefined;
}

/** Unset references inside the value of `service.environment[name]`. */
export function unsetIn(stack: Stack, service: Service, name: string): VariableReference[] {
  const location = service.environmentLocations[name];
  if (!location) return [];
  return stack.variables.filter(
    (ref) => ref.service === service.name && isUnset(ref) && ref.location.file === location.file && ref.location.line === location.line && ref.expression !== ref.name,
  );
}

export type Feeds = 'credential' | 'url' | 'port' | 'image' | 'probe' | 'value';

/** What the value a reference lands in is used for. */
export function whatItFeeds(ref: VariableReference, service: Service | undefined): Feeds {
  if (isSecret(ref.name) || (service !== undefined && service.secrets.includes(ref.name) && !/^(true|false|\d+)$/.test(ref.name))) return 'credential';
  const [first, , part, key] = ref.path;
  if (first === 'services' && part === 'readiness') return 'probe';
  if (first === 'services' && (part === 'ports' || part === 'expose')) return 'port';
  if (first === 'services' && part === 'image') return 'image';
  // `environment.KEY` in the file, or `[envfile, KEY]` for env_file entries.
  let envKey = first === 'services' && part === 'environment' ? key : first !== 'services' && ref.path.length === 2 ? ref.path[1] : undefined;
  if (typeof envKey === 'number' && service !== undefined) {
    // List form (`- KEY=${VAR}`): the key is the one set on the reference's line.
    envKey = Object.entries(service.environmentLocations).find(([, at]) => at.file === ref.location.file && at.line === ref.location.line)?.[0];
  }
  if (typeof envKey === 'string' && service !== undefined) {
    if (isSecret(envKey) || /(^|_)(USER|USERNAME)$/.test(envKey)) return 'credential';
    if (/(^|_)PORT$/.test(envKey)) return 'port';
    // Part of a URL (`http://${HOST}:8080`, `redis://:${PW}@redis`): the URL breaks. A variable that is the
    // whole value (`SENTRY_DSN: ${SENTRY_DSN}`) just comes out empty, which is often how a feature is off.
    const value = service.environment[envKey] ?? '';
    if (/[a-z][a-z0-9+.-]*:\/\//i.test(value)) return 'url';
  }
  if (first === 'services' && (part === 'command' || part === 'entrypoint') && /(^|_)(PASS|PASSWORD|USER|TOKEN|KEY)/.test(ref.name)) return 'credential';
  return 'value';
}

/** A secret by its name — but `CORS_ALLOW_CREDENTIALS` is a flag. */
function isSecret(name: string): boolean {
  return isSecretName(name) && !/^CORS_|_ALLOW_CREDENTIALS$|^(USE|ENABLE|REQUIRE)_/.test(name);
}

export interface ExampleEntry {
  file: string;
  line: number;
}

const EXAMPLE_FILES = ['.env.example', '.env.sample', '.env.template', '.env.dist', '.env.defaults', 'env.example', 'example.env', '.env.local.example'];

/** Where an example env file beside the stack file documents `name`. */
export function exampleEntry(stack: Stack, name: string, files: FileCache): ExampleEntry | undefined {
  for (const base of EXAMPLE_FILES) {
    const file = path.join(stack.dir, base);
    const text = files.text(file);
    if (text === undefined) continue;
    const lines = text.split(/\r?\n/);
    const index = lines.findIndex((line) => new RegExp(`^\\s*(export\\s+)?#?\\s*${name}\\s*=`).test(line));
    if (index >= 0) return { file, line: index + 1 };
  }
  return undefined;
}
