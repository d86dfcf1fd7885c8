/** Durations in up's live view and summary: rounded to the unit printed, never `60.0s` or `1m60s`. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMs } from '../../../src/cli/render/text.js';

describe('formatMs', () => {
  it.each([
    [undefined, '-'],
    [0, '0ms'],
    [999.4, '999ms'],
    [999.6, '1.0s'],
    [12_340, '12.3s'],
    [59_600, '59.6s'],
    [59_960, '1m00s'],
    [60_000, '1m00s'],
    [119_600, '2m00s'],
    [125_000, '2m05s'],
    [3_599_600, '1h00m'],
    [3_720_000, '1h02m'],
    [7_199_999, '2h00m'],
  ])('%s ms prints as %s', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });

  it('never prints 60 in a seconds or minutes field, nor 1000ms', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 10 * 3_600_000, noNaN: true }), (ms) => {
        const text = formatMs(ms);
        expect(text).toMatch(/^(\d{1,3}ms|\d{1,2}\.\ds|\d{1,2}m[0-5]\ds|\d+h[0-5]\dm)$/);
      }),
    );
  });
});
