/** all-of: several probes that must all pass, checked in order (the first failure is the reason). */
import type { Probe, ProbeTarget } from './probe.js';

export class AllOfProbe implements Probe {
  readonly execsInContainer: boolean;

  constructor(readonly probes: readonly Probe[]) {
    this.execsInContainer = probes.some((probe) => probe.execsInContainer === true);
  }

  describe(target: ProbeTarget): string {
    return this.probes.map((probe) => probe.describe(target)).join(' and ');
  }

  async check(target: ProbeTarget, signal: AbortSignal): Promise<void> {
    for (const probe of this.probes) await probe.check(target, signal);
  }
}
