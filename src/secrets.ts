/**
 * Secret values never leave stackctl in clear: every text that may reach a terminal, a log file,
 * a report or --json output goes through a Redactor that knows every secret value of the stack.
 */
export const REDACTED = '***';

/** Values shorter than this are not redacted: replacing "1" everywhere would destroy every text. */
const MIN_SECRET_LENGTH = 3;

export class Redactor {
  private readonly values: string[] = [];

  constructor(values: Iterable<string> = []) {
    for (const value of values) this.add(value);
  }

  add(value: string | undefined): void {
    if (value === undefined || value.length < MIN_SECRET_LENGTH || this.values.includes(value)) return;
    this.values.push(value);
    // Longest first, so a secret that contains another is replaced whole.
    this.values.sort((a, b) => b.length - a.length);
  }

  /** Also redacts URL-encoded forms, since secrets travel inside connection URLs. */
  redact(text: string): string {
    let out = text;
    for (const value of this.values) {
      out = out.split(value).join(REDACTED);
      const encoded = encodeURIComponent(value);
      if (encoded !== value) out = out.split(encoded).join(REDACTED);
    }
    return out;
  }

  /** Deep copy of a JSON-like value with every string redacted. */
  redactValue<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((item) => this.redactValue(item)) as T;
    if (value && typeof value === 'object' && !(value instanceof Date)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.redactValue(v)])) as T;
    }
    return value;
  }

  get size(): number {
    return this.values.length;
  }
}
