/**
 * Terminal colour for every renderer (the CLI's live view and summaries, validate's findings, the
 * report's terminal summary), through Node's util.styleText. Whether to colour is the caller's
 * decision (cli/render/ansi.ts's colorEnabled: TTY, NO_COLOR, FORCE_COLOR), so styleText is told not
 * to look at a stream itself; `paint(false)` gives identity functions.
 */
import { styleText } from 'node:util';

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

type Format = Parameters<typeof styleText>[0];

const style = (format: Format) => (text: string): string => styleText(format, text, { validateStream: false });

const PALETTE: Format[] = ['cyan', 'yellow', 'green', 'magenta', 'blue', 'cyanBright', 'yellowBright', 'greenBright', 'magentaBright', 'blueBright'];

export function paint(enabled: boolean): Paint {
  if (!enabled) {
    const id = (text: string): string => text;
    return { bold: id, dim: id, red: id, green: id, yellow: id, blue: id, magenta: id, cyan: id, pick: (_i, text) => text };
  }
  return {
    bold: style('bold'),
    dim: style('dim'),
    red: style('red'),
    green: style('green'),
    yellow: style('yellow'),
    blue: style('blue'),
    magenta: style('magenta'),
    cyan: style('cyan'),
    pick: (index, text) => style(PALETTE[index % PALETTE.length]!)(text),
  };
}
