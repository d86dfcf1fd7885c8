/**
 * Just enough Dockerfile parsing for validation: instructions with their line numbers (line
 * continuations, comments, parser directives, heredocs skipped), ARG/ENV substitution in COPY/ADD
 * sources, and the COPY/ADD sources with their flags.
 */
export interface Instruction {
  /** Upper-case keyword. */
  keyword: string;
  /** Arguments text (continuations joined). */
  args: string;
  /** 1-based line of the keyword. */
  line: number;
}

export interface CopySource {
  instruction: 'COPY' | 'ADD';
  /** Source as written, after ARG substitution. */
  source: string;
  /** `--from=` value, when present (a stage, image or named context). */
  from?: string;
  line: number;
  /** Column of the source within the line when found, else 1. */
  col: number;
}

export function parseDockerfile(text: string): Instruction[] {
  const lines = text.split(/\r?\n/);
  let escape = '\\';
  const out: Instruction[] = [];
  let directives = true;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (directives) {
      const directive = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(trimmed);
      if (directive) {
        if (directive[1]!.toLowerCase() === 'escape') escape = directive[2]!;
        continue;
      }
      if (trimmed !== '') directives = false;
    }
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const start = i;
    let joined = '';
    let current = raw;
    for (;;) {
      const t = current.trimEnd();
      if (t.endsWith(escape)) {
        joined += `${t.slice(0, -escape.length)} `;
        i++;
        // Skip comment lines inside a continuation, as Docker does.
        while (i < lines.length && lines[i]!.trim().startsWith('#')) i++;
        if (i >= lines.length) break;
        current = lines[i]!;
        continue;
      }
      joined += current;
      break;
    }
    const match = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(joined);
    if (!match) continue;
    const keyword = match[1]!.toUpperCase();
    const args = match[2]!.trim();
    out.push({ keyword, args, line: start + 1 });
    // Heredocs (`RUN <<EOF … EOF`): skip the body.
    const heredoc = /<<-?\s*["']?([A-Za-z_][A-Za-z0-9_]*)["']?/.exec(args);
    if (heredoc) {
      const marker = heredoc[1]!;
      while (i + 1 < lines.length && lines[i + 1]!.trim() !== marker) i++;
      i++;
    }
  }
  return out;
}

/** COPY/ADD sources of a Dockerfile (excluding URLs, git sources and heredocs). */
export function copySources(text: string, buildArgs: Record<string, string> = {}): CopySource[] {
  const lines = text.split(/\r?\n/);
  const vars: Record<string, string> = {};
  const out: CopySource[] = [];
  for (const instruction of parseDockerfile(text)) {
    if (instruction.keyword === 'FROM') {
      // ARGs before FROM are global defaults; a new stage forgets stage-local ARG/ENV.
      for (const key of Object.keys(vars)) delete vars[key];
      continue;
    }
    if (instruction.keyword === 'ARG') {
      for (const word of splitWords(instruction.args)) {
        const eq = word.indexOf('=');
        const name = eq < 0 ? word : word.slice(0, eq);
        const value = buildArgs[name] ?? (eq < 0 ? undefined : unquote(word.slice(eq + 1)));
        if (value !== undefined) vars[name] = value;
      }
      continue;
    }
    if (instruction.keyword === 'ENV') {
      const words = splitWords(instruction.args);
      if (words.length === 2 && !words[0]!.includes('=')) vars[words[0]!] = unquote(words[1]!);
      else for (const word of words) {
        const eq = word.indexOf('=');
        if (eq > 0) vars[word.slice(0, eq)] = unquote(word.slice(eq + 1));
      }
      continue;
    }
    if (instruction.keyword !== 'COPY' && instruction.keyword !== 'ADD') continue;
    let words: string[];
    const rest = instruction.args;
    const flags: Record<string, string> = {};
    let body = rest;
    for (;;) {
      const flag = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(body);
      if (!flag) break;
      flags[flag[1]!] = flag[2] ?? 'true';
      body = body.slice(flag[0].length);
    }
    if (body.startsWith('<<')) continue;
    if (body.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(body);
        words = Array.isArray(parsed) ? parsed.map(String) : [];
      } catch {
        words = splitWords(body);
      }
    } else {
      words = splitWords(body);
    }
    if (words.length < 2) continue;
    for (const written of words.slice(0, -1)) {
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(written) || written.startsWith('git@')) continue;
      const source = substitute(written, vars);
      if (source === undefined) continue; // unresolvable variable: cannot judge
      const lineText = lines[instruction.line - 1] ?? '';
      const index = lineText.indexOf(written);
      const copy: CopySource = { instruction: instruction.keyword, source, line: instruction.line, col: index >= 0 ? index + 1 : 1 };
      if (flags.from !== undefined) copy.from = flags.from;
      out.push(copy);
    }
  }
  return out;
}

function splitWords(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) out.push(match[1] ?? match[2] ?? match[3]!);
  return out;
}

function unquote(text: string): string {
  return text.replace(/^"(.*)"$/s, '$1').replace(/^'(.*)'$/s, '$1');
}

/** `$VAR`, `${VAR}`, `${VAR:-default}`; undefined when a variable has no value. */
function substitute(text: string, vars: Record<string, string>): string | undefined {
  let unresolved = false;
  const out = text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_, braced?: string, fallback?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    const value = vars[name] ?? fallback;
    if (value === undefined) unresolved = true;
    return value ?? '';
  });
  return unresolved ? undefined : out;
}

/** Does a COPY source contain glob characters? */
export function isGlob(source: string): boolean {
  return /[*?[]/.test(source);
}

/** Glob segment → RegExp (`*`, `?`, `[…]`), as Go's filepath.Match. */
export function globSegmentToRegExp(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i]!;
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${segment.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
