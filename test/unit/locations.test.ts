/** One order for diagnostics everywhere (stack.yaml loader, compose loader, validate's findings). */
import { describe, expect, it } from 'vitest';
import { compareLocations, sortByLocation } from '../../src/errors.js';

describe('sortByLocation', () => {
  it('orders by file in code-unit order (not the locale), then line, then column; stable otherwise', () => {
    const at = (file: string, line: number, col: number, id: string) => ({ id, location: { file, line, col } });
    const sorted = sortByLocation([at('b.yml', 1, 1, 'b'), at('a.yml', 9, 1, 'a9'), at('B.yml', 5, 1, 'B'), at('a.yml', 2, 7, 'a2-7'), at('a.yml', 2, 3, 'a2-3'), at('a.yml', 2, 3, 'a2-3 again')]);
    expect(sorted.map((x) => x.id)).toEqual(['B', 'a2-3', 'a2-3 again', 'a2-7', 'a9', 'b']);
    expect(compareLocations({ file: 'x', line: 1, col: 1 }, { file: 'x', line: 1, col: 1 })).toBe(0);
  });
});
