/** all-of: several probes that must all pass, checked in order (the first failure is the reason). */
import type { Probe, ProbeTarget } from './probe.js';

export class AllOfProbe implements Probe {
  constructor(readonly probes: readonly Probe[]) {}

  describe(target: ProbeTarget): string {
    return this.probes.map((probe) => probe.describe(target)).join(' and ');
  }

  async check(target: ProbeTarget, signal: AbortSignal): Promise<void> {
    for (const probe of this.probes) await probe.check(target, signal);
  }
}
