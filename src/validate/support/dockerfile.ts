/**
 * What validation needs of a Dockerfile: its COPY/ADD sources with their lines, ARG/ENV substituted
 * (parsing itself: src/dockerfile/parse.ts), and Docker's glob matching for those sources.
 */
import { flagValue, parseCopyArgs, parseDockerfile, splitWords, substitute, unquote } from '../../dockerfile/parse.js';

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
    const copy = parseCopyArgs(instruction.args);
    if (!copy) continue;
    const from = flagValue(copy.flags, 'from');
    for (const written of copy.sources) {
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(written) || written.startsWith('git@')) continue;
      const source = substitute(written, vars);
      if (source === undefined) continue; // unresolvable variable: cannot judge
      const lineText = lines[instruction.line - 1] ?? '';
      const index = lineText.indexOf(written);
      out.push({ instruction: instruction.keyword, source, line: instruction.line, col: index >= 0 ? index + 1 : 1, ...(from !== undefined ? { from } : {}) });
    }
  }
  return out;
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
