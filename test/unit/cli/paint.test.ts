/** src/paint.ts (util.styleText) writes the same SGR sequences the hand-written helpers did, whatever the stream. */
import { describe, expect, it } from 'vitest';
import { stripAnsi } from '../../../src/cli/render/ansi.js';
import { paint } from '../../../src/paint.js';

describe('paint', () => {
  it('colours when asked, even though stdout is not a terminal here', () => {
    const p = paint(true);
    expect([p.red('x'), p.green('x'), p.bold('x'), p.dim('x')]).toEqual(['\u001b[31mx\u001b[39m', '\u001b[32mx\u001b[39m', '\u001b[1mx\u001b[22m', '\u001b[2mx\u001b[22m']);
    expect(p.pick(0, 'x')).toBe('\u001b[36mx\u001b[39m');
    expect(p.pick(15, 'x')).toBe('\u001b[96mx\u001b[39m');
    expect(stripAnsi(p.bold(p.red('text')))).toBe('text');
  });

  it('is the identity when colour is off', () => {
    const p = paint(false);
    expect([p.red('x'), p.pick(3, 'y')]).toEqual(['x', 'y']);
  });
});
