/**
 * Which variable names hold secrets: the rule set secret scanners use for key names (detect-secrets'
 * keyword detector, gitleaks' generic rules), plus what a stack adds or exempts with `secret_names`
 * (stack.yaml top level, or `x-stackctl: { secret_names }` in a compose file). Documented in
 * docs/security.md; a change here is a change of that page.
 *
 *   isSecretName(name, policy?)   → true when a value under that name is treated as secret
 *   parseSecretNamePolicy(raw)    → the policy a stack document declares (never throws)
 *   looksLikePrivateKey(value)    → a PEM private key block, whatever name holds it
 */
import { isRecord } from './is-record.js';

export interface SecretNamePolicy {
  /** Extra names (exact, or globs with `*`) treated as secret. */
  add: string[];
  /** Names (exact, or globs with `*`) never treated as secret, even when the rules match them. */
  exempt: string[];
}

/** A word ending in one of these makes a name secret (PGPASSWORD, DB_PASSWORD_V2, GHTOKEN, CREDENTIALS). */
const STRONG_WORD = /(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|CREDENTIAL|APIKEY|PRIVATEKEY|ACCESSKEY|AUTHKEY)S?\d*$/;
/** Two adjacent words that make a name secret wherever they stand (API_KEY_V2, PRIVATE_KEY_PEM). */
const SECRET_PAIRS = new Set(['API KEY', 'PRIVATE KEY', 'ACCESS KEY', 'AUTH KEY', 'SECRET KEY', 'CLIENT KEY', 'SIGNING KEY', 'ENCRYPTION KEY', 'MASTER KEY']);
/** Whole words (segments between `_`, `-`, `.` or a camelCase step) that make a name secret. */
const SECRET_SEGMENTS = new Set(['PASS', 'PWD', 'CREDS', 'PEPPER', 'SALT']);
/** `…_KEY` is secret (STRIPE_KEY, ENCRYPTION_KEY, MASTER_KEY) unless the word before says it is not. */
const PUBLIC_KEY_KINDS = new Set(['PUBLIC', 'PUBLISHABLE', 'PUB', 'CACHE', 'PRIMARY', 'SORT', 'PARTITION', 'FOREIGN', 'ROUTING', 'IDEMPOTENCY', 'HASH', 'LOOKUP', 'SHARD', 'GROUP', 'QUEUE', 'PREFIX']);
/** A last word that names something about a secret rather than the secret (POSTGRES_PASSWORD_FILE, TOKEN_TTL). */
const METADATA_SUFFIXES = new Set([
  'FILE', 'PATH', 'DIR', 'LENGTH', 'LEN', 'MIN', 'MAX', 'TTL', 'EXPIRY', 'EXPIRES', 'EXPIRATION', 'LIFETIME', 'ALGORITHM', 'ALG',
  'ENABLED', 'DISABLED', 'REQUIRED', 'TIMEOUT', 'TYPE', 'ID', 'NAME', 'HEADER', 'ROTATION', 'POLICY', 'VERSION', 'FORMAT', 'COUNT',
]);

/** Names that match the rules by accident: PWD is the shell's working directory, not a password. */
const NEVER_SECRET = new Set(['PWD', 'OLDPWD']);

/**
 * The rules' answer per name (without a policy): a 10,000-service file asks about the same few
 * environment names tens of thousands of times, and splitting a name into words was 3% of its plan.
 */
const byRules = new Map<string, boolean>();
const MAX_REMEMBERED = 10_000;

export function isSecretName(name: string, policy?: SecretNamePolicy): boolean {
  if (NEVER_SECRET.has(name)) return false;
  if (policy) {
    if (policy.exempt.some((pattern) => globMatch(pattern, name))) return false;
    if (policy.add.some((pattern) => globMatch(pattern, name))) return true;
  }
  let answer = byRules.get(name);
  if (answer === undefined) {
    answer = secretByRules(name);
    if (byRules.size < MAX_REMEMBERED) byRules.set(name, answer);
  }
  return answer;
}

function secretByRules(name: string): boolean {
  const words = splitWords(name);
  if (words.length === 0) return false;
  const last = words[words.length - 1]!;
  if (words.length > 1 && METADATA_SUFFIXES.has(last)) return false;
  if (words.some((word) => STRONG_WORD.test(word) || SECRET_SEGMENTS.has(word))) return true;
  for (let i = 0; i + 1 < words.length; i++) if (SECRET_PAIRS.has(`${words[i]} ${words[i + 1]}`)) return true;
  if (last === 'KEY' || last === 'KEYS') return !(words.length > 1 && PUBLIC_KEY_KINDS.has(words[words.length - 2]!));
  return last === 'AUTH' && words.length > 1;
}

/** `dbPass` → DB, PASS; `AWS_SECRET_ACCESS_KEY` → AWS, SECRET, ACCESS, KEY. */
function splitWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .map((word) => word.toUpperCase());
}

function globMatch(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern.toUpperCase() === name.toUpperCase();
  const re = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(name);
}

/** The `secret_names: { add: [...], exempt: [...] }` of a stack document (stack.yaml or `x-stackctl` in compose). */
export function parseSecretNamePolicy(raw: unknown): SecretNamePolicy | undefined {
  if (!isRecord(raw)) return undefined;
  const extension = isRecord(raw['x-stackctl']) ? raw['x-stackctl'] : undefined;
  const declared = raw.secret_names ?? extension?.secret_names;
  if (!isRecord(declared)) return undefined;
  const list = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item.trim() !== '').map((item) => item.trim()) : [];
  return { add: list(declared.add), exempt: list(declared.exempt) };
}

const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/;

export function looksLikePrivateKey(value: string): boolean {
  return value.includes('-----BEGIN') && PEM_PRIVATE_KEY.test(value);
}
