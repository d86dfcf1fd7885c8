import { describe, expect, it } from 'vitest';
import { collectRows } from '../../../src/cli/commands/ps.js';
import { up } from '../../../src/engine/index.js';
import type { ExecResult } from '../../../src/runtime/runtime.js';
import { Redactor } from '../../../src/secrets.js';
import { makeStack } from '../../support/stack-builder.js';
import { MemoryRuntime } from '../../support/memory-runtime.js';

/** An engine whose execs take `execMs` once `slow` is set (as a busy engine's do). */
class BusyRuntime extends MemoryRuntime {
  slow = false;
  override async exec(id: string, command: string[]): Promise<ExecResult> {
    if (this.slow) await new Promise((resolve) => setTimeout(resolve, 3000));
    return super.exec(id, command);
  }
}

describe('ps with more exec probes than the engine answers at once', () => {
  it('probes 6 at a time; a service whose turn does not come within 2 s is "not probed", not "not ready"', async () => {
    const names = Array.from({ length: 8 }, (_, i) => `svc${i}`);
    const stack = makeStack('turns', Object.fromEntries(names.map((name) => [name, { probe: { kind: 'exec', command: ['true'] } }])));
    const runtime = new BusyRuntime({ images: Object.fromEntries(stack.services.map((service, i) => [service.image!, `sha256:i${i}`])) });
    const result = await up(stack, { runtime });
    expect(result.ok).toBe(true);
    runtime.slow = true;
    const rows = await collectRows(runtime, stack, stack.name, { probe: true, redactor: new Redactor() });
    const readiness = rows.map((row) => row.readiness);
    // Six take their turn at once and hold it for 3 s (this runtime answers exit 0 late, ignoring
    // the attempt's limit); the two left waiting give up after 2 s and say why.
    expect(readiness).toEqual(['ready', 'ready', 'ready', 'ready', 'ready', 'ready', 'not probed', 'not probed']);
    expect(rows.at(-1)?.readinessError).toBe('the engine was busy with other exec probes for 2s: run ps again, or ps --no-probe');
  }, 15_000);
});
