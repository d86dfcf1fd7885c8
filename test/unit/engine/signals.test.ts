import { describe, expect, it } from 'vitest';
import { anySignal } from '../../../src/engine/signals.js';

describe('anySignal', () => {
  it('is the source of one combined signal per service without a MaxListenersExceededWarning, and passes its reason on', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const outer = new AbortController();
      const run = anySignal([outer.signal]);
      const perService = Array.from({ length: 200 }, () => anySignal([run.signal]));
      outer.abort(new Error('interrupted'));
      expect(perService.every((child) => child.signal.aborted && (child.signal.reason as Error).message === 'interrupted')).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
      for (const child of perService) child.clear();
      run.clear();
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });
});
