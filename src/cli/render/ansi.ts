/** When to colour, and cutting coloured lines; the colours themselves are src/paint.ts. */
import { stripVTControlCharacters } from 'node:util';

/** Colour is on for a TTY unless NO_COLOR is set; FORCE_COLOR forces it. */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

export function stripAnsi(text: string): string {
  return stripVTControlCharacters(text);
}

/** Cuts a (possibly coloured) line to `width` visible characters. */
export function truncate(text: string, width: number): string {
  if (stripAnsi(text).length <= width) return text;
  let visible = 0;
  let out = '';
  for (let i = 0; i < text.length; ) {
    ANSI.lastIndex = i;
    const match = /^\u001b\[[0-9;?]*[A-Za-z]/.exec(text.slice(i));
    if (match) {
      out += match[0];
      i += match[0].length;
      continue;
    }
    if (visible >= width - 1) {
      out += '…';
      break;
    }
    out += text[i];
    visible += 1;
    i += 1;
  }
  return `${out}\u001b[0m`;
}
