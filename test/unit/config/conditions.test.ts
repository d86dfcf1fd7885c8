/** One table of dependency conditions for stack.yaml, the compose loader and import. */
import { describe, expect, it } from 'vitest';
import { composeCondition, dependencyCondition } from '../../../src/config/model.js';

describe('dependency conditions', () => {
  it("maps compose's names, and stack.yaml accepts its own and compose's", () => {
    expect(['service_started', 'service_healthy', 'service_completed_successfully'].map(composeCondition)).toEqual(['started', 'ready', 'completed']);
    expect(['started', 'ready', 'completed', 'service_healthy'].map(dependencyCondition)).toEqual(['started', 'ready', 'completed', 'ready']);
  });

  it('knows nothing else — not even the names every object has', () => {
    for (const name of ['healthy', 'ready', 'constructor', 'toString', '__proto__']) expect(composeCondition(name)).toBeUndefined();
    for (const name of ['healthy', 'constructor', 'hasOwnProperty']) expect(dependencyCondition(name)).toBeUndefined();
  });
});
