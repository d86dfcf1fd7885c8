/**
 * Just enough Dockerfile parsing for validation (the COPY sources a build context must hold) and
 * for the build (base images, the additional_contexts rewrite): logical instructions with their
 * lines, COPY/ADD arguments, and `$VAR` substitution.
 *
 * Logical lines follow Docker's rules: parser directives (`# escape=`) only before anything else,
 * the escape character at the end of a line continues it, comment and empty lines inside a
 * continuation are dropped, and heredoc bodies (`RUN <<EOF … EOF`) belong to their instruction.
 */

export interface Instruction {
  /** Upper-cased keyword: FROM, COPY, RUN, … */
  keyword: string;
  /** The text after the keyword, continuations joined with a space. */
  args: string;
  /** 1-based line of the keyword. */
  line: number;
  /** 1-based last physical line of the instruction (its heredoc body included). */
  lastLine: number;
}

export function parseDockerfile(text: string): Instruction[] {
  const lines = text.split(/\r?\n/);
  let escape = '\\';
  let index = 0;
  for (; index < lines.length; index += 1) {
    const directive = /^#\s*([a-zA-Z]+)\s*=\s*(.+?)\s*$/.exec(lines[index] ?? '');
    if (!directive) break;
    if (directive[1]?.toLowerCase() === 'escape' && (directive[2] === '`' || directive[2] === '\\')) escape = directive[2];
  }
  const instructions: Instruction[] = [];
  let current: { parts: string[]; first: number } | undefined;
  const finish = (last: number): void => {
    if (!current) return;
    const match = /^(\S+)\s*(.*)$/s.exec(current.parts.join(' '));
    const instruction: Instruction = { keyword: (match?.[1] ?? '').toUpperCase(), args: (match?.[2] ?? '').trim(), line: current.first + 1, lastLine: last + 1 };
    current = undefined;
    const heredoc = /<<-?\s*["']?([A-Za-z_][A-Za-z0-9_]*)["']?/.exec(instruction.args);
    if (heredoc) {
      while (index + 1 < lines.length && (lines[index + 1] ?? '').trim() !== heredoc[1]) index += 1;
      if (index + 1 < lines.length) index += 1;
      instruction.lastLine = index + 1;
    }
    instructions.push(instruction);
  };
  for (; index < lines.length; index += 1) {
    const trimmed = (lines[index] ?? '').trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    current ??= { parts: [], first: index };
    const continued = trimmed.endsWith(escape);
    current.parts.push(continued ? trimmed.slice(0, -escape.length).trim() : trimmed);
    if (!continued) finish(index);
  }
  finish(lines.length - 1);
  return instructions;
}

export interface CopyArgs {
  /** `--flag[=value]` as written. */
  flags: string[];
  sources: string[];
  dest: string;
}

/** Splits `COPY`/`ADD` arguments: leading flags, then JSON or whitespace form; undefined for heredocs and malformed ones. */
export function parseCopyArgs(args: string): CopyArgs | undefined {
  const flags: string[] = [];
  let body = args.trim();
  for (;;) {
    const flag = /^(--\S+)\s*/.exec(body);
    if (!flag?.[1]) break;
    flags.push(flag[1]);
    body = body.slice(flag[0].length);
  }
  if (body.startsWith('<<')) return undefined;
  let words: string[] | undefined;
  if (body.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(body);
      if (Array.isArray(parsed) && parsed.every((item): item is string => typeof item === 'string')) words = parsed;
    } catch {
      // not JSON after all: the shell form below
    }
  }
  words ??= splitWords(body);
  const dest = words.pop();
  if (dest === undefined || words.length === 0) return undefined;
  return { flags, sources: words, dest };
}

/** The value of `--name=value` among the flags (case-insensitive name). */
export function flagValue(flags: string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return flags.find((flag) => flag.toLowerCase().startsWith(prefix))?.slice(prefix.length);
}

/** Words of an instruction, double or single quotes grouping. */
export function splitWords(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) out.push(match[1] ?? match[2] ?? match[3] ?? '');
  return out;
}

export function unquote(text: string): string {
  return text.replace(/^"(.*)"$/s, '$1').replace(/^'(.*)'$/s, '$1');
}

/**
 * `$VAR`, `${VAR}`, `${VAR:-default}` (default when unset or empty), `${VAR-default}` (when
 * unset); undefined when a variable has neither a value nor a default.
 */
export function substitute(text: string, vars: Readonly<Record<string, string>>): string | undefined {
  let unresolved = false;
  const out = text.replace(
    /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)-([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (_match, braced: string | undefined, colon: string | undefined, fallback: string | undefined, bare: string | undefined) => {
      const value = vars[braced ?? bare ?? ''];
      if (fallback !== undefined && (value === undefined || (colon === ':' && value === ''))) return fallback;
      if (value === undefined) unresolved = true;
      return value ?? '';
    },
  );
  return unresolved ? undefined : out;
}
