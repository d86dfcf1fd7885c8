/**
 * Secret values never leave stackctl in clear: every text that may reach a terminal, a log file,
 * a report or --json output goes through a Redactor that knows every secret value of the stack.
 *
 * What a Redactor replaces with `***` (docs/security.md says the same for users):
 *   - every known secret value, as written and URL-encoded; a value shorter than 8 characters only
 *     where it stands as a word of its own (so "app" does not eat "application");
 *   - any fragment of 12 or more characters of a known secret, in any letter case (a truncated or
 *     lower-cased copy is still the secret);
 *   - by shape, whoever holds it: the password of `scheme://user:password@host`, the value of
 *     `NAME=value` and `"NAME": "value"` when NAME is a secret name, the body of a PEM private key.
 * Identifiers (`keep`: service, stack, container, network and volume names, variable names, paths) are
 * never masked, even when a secret value equals them or contains them: a secret that equals a name is
 * guessable and validate says so; hiding the name would only make the output useless.
 */
import { isSecretName as builtInSecretName } from './secret-names.js';

export const REDACTED = '***';

/** Values shorter than this are not redacted: replacing "1" everywhere would destroy every text. */
const MIN_SECRET_LENGTH = 3;
/** Below this length a value is only replaced where it stands as a word of its own. */
const WORD_BOUND_BELOW = 8;
/** A run of this many characters of a secret is a leak, wherever it appears. */
export const FRAGMENT_LENGTH = 12;
/** Values that are never secrets, whatever their variable is called (TOKENS_ENABLED=true, a hint's KEY=value). */
const NOT_A_SECRET = /^(true|false|yes|no|on|off|null|none|nil|undefined|\d{1,5}|values?|\.\.\.|…|<[^>]*>)$/i;

export interface RedactorOptions {
  /** Identifiers never masked (see above). */
  keep?: Iterable<string>;
  /** Which names hold secrets, for `NAME=value` in free text and keys in redactValue; default the built-in rules. */
  isSecretName?: (name: string) => boolean;
}

export class Redactor {
  private readonly values: string[] = [];
  private readonly grams = new Set<string>();
  private readonly keep: string[];
  private riskyKeeps: string[] | undefined;
  private readonly secretName: (name: string) => boolean;

  constructor(values: Iterable<string> = [], options: RedactorOptions = {}) {
    this.keep = [...new Set([...(options.keep ?? [])].filter((id) => id.length >= MIN_SECRET_LENGTH))];
    this.secretName = options.isSecretName ?? ((name) => builtInSecretName(name));
    for (const value of values) this.add(value);
  }

  add(value: string | undefined): void {
    if (value === undefined || value.length < MIN_SECRET_LENGTH || NOT_A_SECRET.test(value) || this.values.includes(value)) return;
    this.values.push(value);
    let encoded = value;
    try {
      encoded = encodeURIComponent(value);
    } catch {
      // a lone surrogate: keep the value as written
    }
    if (encoded !== value && !this.values.includes(encoded)) this.values.push(encoded);
    // Longest first, so a secret that contains another is replaced whole.
    this.values.sort((a, b) => b.length - a.length);
    for (const form of new Set([value, encoded])) {
      const lower = asciiLower(form);
      for (let i = 0; i + FRAGMENT_LENGTH <= lower.length; i++) this.grams.add(lower.slice(i, i + FRAGMENT_LENGTH));
    }
    this.riskyKeeps = undefined;
  }

  redact(text: string): string {
    if (text.length === 0) return text;
    const ranges = this.secretRanges(text);
    let out = ranges.length === 0 ? text : replaceRanges(text, ranges);
    out = redactByShape(out, this.secretName);
    return out;
  }

  /** True when the text holds a known secret value (whole or a 12+ character fragment). */
  holdsSecret(text: string): boolean {
    return this.secretRanges(text).length > 0;
  }

  /** Deep copy of a JSON-like value with every string redacted; a secret-named key's value is masked whole. */
  redactValue<T>(value: T): T {
    return this.redactDeep(value, undefined) as T;
  }

  get size(): number {
    return this.values.length;
  }

  private redactDeep(value: unknown, key: string | undefined): unknown {
    if (typeof value === 'string') {
      if (key !== undefined && value !== '' && this.secretName(key) && !isReference(value) && !NOT_A_SECRET.test(value)) return REDACTED;
      return this.redact(value);
    }
    if (Array.isArray(value)) return value.map((item) => this.redactDeep(item, undefined));
    if (value && typeof value === 'object' && !(value instanceof Date)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.redactDeep(v, k)]));
    }
    return value;
  }

  /** Where known secrets (or fragments of them) stand in the text, outside kept identifiers. */
  private secretRanges(text: string): Array<[number, number]> {
    if (this.values.length === 0) return [];
    const guarded = this.guardedRanges(text);
    const ranges: Array<[number, number]> = [];
    const push = (start: number, end: number): void => {
      if (!guarded.some(([a, b]) => start < b && a < end)) ranges.push([start, end]);
    };
    for (const value of this.values) {
      if (value.length >= FRAGMENT_LENGTH) continue; // the fragment scan below finds these
      for (let index = text.indexOf(value); index >= 0; index = text.indexOf(value, index + 1)) {
        const end = index + value.length;
        if (value.length < WORD_BOUND_BELOW && (isWordChar(text[index - 1]) || isWordChar(text[end]))) continue;
        push(index, end);
      }
    }
    if (this.grams.size > 0 && text.length >= FRAGMENT_LENGTH) {
      const lower = asciiLower(text);
      for (let i = 0; i + FRAGMENT_LENGTH <= lower.length; i++) {
        if (this.grams.has(lower.slice(i, i + FRAGMENT_LENGTH))) push(i, i + FRAGMENT_LENGTH);
      }
    }
    return ranges;
  }

  /** Occurrences of kept identifiers that a secret (or a fragment of one) would otherwise cut into. */
  private guardedRanges(text: string): Array<[number, number]> {
    this.riskyKeeps ??= this.keep.filter((id) => {
      const lower = asciiLower(id);
      if (this.values.some((value) => id.includes(value))) return true;
      for (let i = 0; i + FRAGMENT_LENGTH <= lower.length; i++) if (this.grams.has(lower.slice(i, i + FRAGMENT_LENGTH))) return true;
      return false;
    });
    const out: Array<[number, number]> = [];
    for (const id of this.riskyKeeps) {
      for (let index = text.indexOf(id); index >= 0; index = text.indexOf(id, index + 1)) {
        const end = index + id.length;
        if (isWordChar(text[index - 1]) || isWordChar(text[end])) continue;
        if (isSecretValuePosition(text, index, this.secretName)) continue;
        out.push([index, end]);
      }
    }
    return out;
  }
}

/** Redacts what looks like a secret whoever holds it: URL passwords, secret-named assignments, PEM keys. */
export function redactByShape(text: string, secretName: (name: string) => boolean = (name) => builtInSecretName(name)): string {
  let out = text;
  if (out.includes('-----BEGIN')) {
    out = out.replace(/(-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----)[\s\S]*?(-----END \2PRIVATE KEY-----|$)/g, (_m, begin: string, _kind, end: string) => `${begin}${REDACTED}${end}`);
  }
  if (out.includes('://')) {
    out = out.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:@/?#"'`]*):([^\s@/"'`]+)@/gi, (match, head: string, password: string) =>
      isReference(password) || password === REDACTED ? match : `${head}:${REDACTED}@`,
    );
  }
  if (out.includes('=')) {
    out = out.replace(/(^|[^A-Za-z0-9_$])([A-Za-z_][A-Za-z0-9_.-]*)=("?)([^\s"'&;,]+)/g, (match, before: string, name: string, quote: string, value: string) =>
      secretName(name) && !isReference(value) && value !== REDACTED && !NOT_A_SECRET.test(value) ? `${before}${name}=${quote}${REDACTED}` : match,
    );
  }
  if (out.includes('":')) {
    out = out.replace(/"([A-Za-z_][A-Za-z0-9_.-]*)":(\s*)"((?:[^"\\]|\\.)+)"/g, (match, name: string, space: string, value: string) =>
      secretName(name) && !isReference(value) && value !== REDACTED && !NOT_A_SECRET.test(value) ? `"${name}":${space}"${REDACTED}"` : match,
    );
  }
  return out;
}

/** `${VAR}`, `$VAR`, `${VAR:-…}`: a reference to a secret, not the secret. */
function isReference(value: string): boolean {
  return /^\$\{?[A-Za-z_][A-Za-z0-9_]*(?:[:?+-][^}]*)?\}?$/.test(value) || /^\*+$/.test(value);
}

/** `SECRET_NAME=<here>`, `"SECRET_NAME": "<here>"` or `SECRET_NAME: <here>`: the value of a secret, not a name. */
function isSecretValuePosition(text: string, index: number, secretName: (name: string) => boolean): boolean {
  const match = /([A-Za-z_][A-Za-z0-9_.-]*)(?:=|": ?"|: )$/.exec(text.slice(Math.max(0, index - 120), index));
  return match !== null && secretName(match[1]!);
}

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9_]/.test(ch);
}

/** Lower-cases ASCII letters only, so offsets in the result are offsets in the input. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (run) => run.toLowerCase());
}

function replaceRanges(text: string, ranges: Array<[number, number]>): string {
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let out = '';
  let cursor = 0;
  let current: [number, number] | undefined;
  const flush = (): void => {
    if (!current) return;
    out += text.slice(cursor, current[0]) + REDACTED;
    cursor = current[1];
  };
  for (const range of ranges) {
    if (current && range[0] <= current[1]) current[1] = Math.max(current[1], range[1]);
    else {
      flush();
      current = [range[0], range[1]];
    }
  }
  flush();
  return out + text.slice(cursor);
}
