/**
 * `${…}` templates in suite files.
 *
 *   ${VAR} ${VAR:-default} ${VAR-default}   environment (process env over the stack's .env)
 *   ${vars.NAME}                            the suite's `vars:`
 *   ${captures.NAME}                        a value captured by an earlier check
 *   ${services.S.url|host|port}             how S is reached from here: http://127.0.0.1:<published port>
 *   ${services.S.ports.8007}                the host port published for S's container port 8007
 *   ${run.id} ${run.random}                 the run id; a random hex string fixed for the run
 *   ${step.junit} ${step.dir}               (external steps) the JUnit path to write, a scratch dir
 *   $$                                      a literal $
 * A default (`:-` when unset or empty, `-` when unset) may itself hold templates.
 */
export interface TemplateRef {
  name: string;
  expression: string;
  offset: number;
  hasDefault: boolean;
}

type Part = { kind: 'text'; text: string } | { kind: 'ref'; name: string; op?: ':-' | '-'; fallback: Part[]; expression: string; offset: number };

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly reference?: string,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_][A-Za-z0-9_.:-]*)?/;

function parse(text: string, start: number, nested: boolean): { parts: Part[]; end: number } {
  const parts: Part[] = [];
  let buffer = '';
  let i = start;
  const flush = (): void => {
    if (buffer) parts.push({ kind: 'text', text: buffer });
    buffer = '';
  };
  while (i < text.length) {
    const ch = text[i] as string;
    if (nested && ch === '}') {
      flush();
      return { parts, end: i };
    }
    if (ch === '$' && text[i + 1] === '$') {
      buffer += '$';
      i += 2;
      continue;
    }
    if (ch === '$' && text[i + 1] === '{') {
      const match = NAME.exec(text.slice(i + 2));
      if (!match) throw new TemplateError(`invalid template at offset ${i}: expected a name after "\${" (write $$ for a literal $)`);
      const name = match[0];
      let j = i + 2 + name.length;
      let op: ':-' | '-' | undefined;
      let fallback: Part[] = [];
      if (text.startsWith(':-', j)) op = ':-';
      else if (text[j] === '-') op = '-';
      if (op) {
        const inner = parse(text, j + op.length, true);
        fallback = inner.parts;
        j = inner.end;
      }
      if (text[j] !== '}') throw new TemplateError(`unclosed "\${${name}" at offset ${i}: add the closing "}"`);
      flush();
      parts.push({ kind: 'ref', name, op, fallback, expression: text.slice(i, j + 1), offset: i });
      i = j + 1;
      continue;
    }
    buffer += ch;
    i++;
  }
  if (nested) throw new TemplateError('unclosed "${" in a default value: add the closing "}"');
  flush();
  return { parts, end: i };
}

function collect(parts: Part[], out: TemplateRef[]): void {
  for (const part of parts) {
    if (part.kind !== 'ref') continue;
    out.push({ name: part.name, expression: part.expression, offset: part.offset, hasDefault: part.op !== undefined });
    collect(part.fallback, out);
  }
}

/** Every reference in a template, defaults included; throws TemplateError on bad syntax. */
export function templateRefs(text: string): TemplateRef[] {
  if (!text.includes('$')) return [];
  const out: TemplateRef[] = [];
  collect(parse(text, 0, false).parts, out);
  return out;
}

export type Lookup = (name: string) => string | undefined;

function renderParts(parts: Part[], lookup: Lookup): string {
  let out = '';
  for (const part of parts) {
    if (part.kind === 'text') {
      out += part.text;
      continue;
    }
    const value = lookup(part.name);
    if (part.op === ':-' ? value === undefined || value === '' : part.op === '-' ? value === undefined : false) {
      out += renderParts(part.fallback, lookup);
    } else if (value === undefined) {
      throw new TemplateError(`${part.expression} has no value`, part.name);
    } else {
      out += value;
    }
  }
  return out;
}

/** Resolves a template; a reference without a value and without a default throws TemplateError. */
export function renderTemplate(text: string, lookup: Lookup): string {
  if (!text.includes('$')) return text;
  return renderParts(parse(text, 0, false).parts, lookup);
}

/** Resolves every string inside a JSON-like value. */
export function renderDeep(value: unknown, lookup: Lookup): unknown {
  if (typeof value === 'string') return renderTemplate(value, lookup);
  if (Array.isArray(value)) return value.map((item) => renderDeep(item, lookup));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, lookup)]));
  }
  return value;
}

/** Every string inside a JSON-like value, with its key path (for load-time checks of references). */
export function stringsIn(value: unknown, path: Array<string | number> = []): Array<{ text: string; path: Array<string | number> }> {
  if (typeof value === 'string') return [{ text: value, path }];
  if (Array.isArray(value)) return value.flatMap((item, index) => stringsIn(item, [...path, index]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => stringsIn(v, [...path, k]));
  return [];
}
