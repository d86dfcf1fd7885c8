/** A few ANSI sequences; `paint(false)` gives identity functions (non-TTY, NO_COLOR). */
export interface Paint {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  blue(text: string): string;
  magenta(text: string): string;
  cyan(text: string): string;
  /** Cycles through distinct colours by index (per-service log prefixes). */
  pick(index: number, text: string): string;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

export function paint(enabled: boolean): Paint {
  if (!enabled) {
    const id = (text: string): string => text;
    return { bold: id, dim: id, red: id, green: id, yellow: id, blue: id, magenta: id, cyan: id, pick: (_i, text) => text };
  }
  const palette = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94];
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    blue: wrap(34, 39),
    magenta: wrap(35, 39),
    cyan: wrap(36, 39),
    pick: (index, text) => wrap(palette[index % palette.length]!, 39)(text),
  };
}

/** Colour is on for a TTY unless NO_COLOR is set; FORCE_COLOR forces it. */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
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
