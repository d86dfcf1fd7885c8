/**
 * The services' output through the daemon: what `logs` reads (the engine's complete log of a
 * container that exists, else the last lines the collector kept of one since removed), what
 * `logs -f` follows, and keeping the collector attached to each service's current container.
 * The current stack, supervisor and collector come from supervised-stack.ts.
 */
import type { Stack } from '../config/model.js';
import type { Runtime } from '../runtime/runtime.js';
import type { LogLine } from './api-types.js';
import type { LogCollector } from './log-collector.js';
import type { Supervisor } from './supervisor.js';

export class ServiceLogs {
  constructor(
    private readonly supervised: {
      readonly stack: Stack;
      readonly supervisor: Pick<Supervisor, 'container'>;
      readonly collector: Pick<LogCollector, 'recent' | 'subscribe' | 'attach'>;
      assertKnown(services: string[]): void;
    },
    private readonly runtime: Pick<Runtime, 'logs'>,
  ) {}

  /** The last `tail` lines of each service (all when empty), service by service. */
  async recent(services: string[], tail: number): Promise<LogLine[]> {
    this.supervised.assertKnown(services);
    const names = services.length > 0 ? services : this.supervised.stack.services.map((s) => s.name);
    const out: LogLine[] = [];
    for (const service of names) {
      const info = this.supervised.supervisor.container(service);
      const text = info ? await this.runtime.logs(info.id, Math.min(tail, 1_000_000_000)).catch(() => undefined) : undefined;
      if (text === undefined) {
        out.push(...this.supervised.collector.recent([service], tail));
        continue;
      }
      const lines = text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      for (const line of lines) out.push({ service, line: line.replace(/\r$/, '') });
    }
    return out;
  }

  /** Every new line of the services (all when empty); the returned function unsubscribes. */
  follow(services: string[], listener: (line: LogLine) => void): () => void {
    this.supervised.assertKnown(services);
    return this.supervised.collector.subscribe(services, listener);
  }

  /** Follows each service's current container (or only `only`'s): call when containers may have changed. */
  attach(only?: string): void {
    for (const service of this.supervised.stack.services) {
      if (only && service.name !== only) continue;
      const info = this.supervised.supervisor.container(service.name);
      this.supervised.collector.attach(service.name, info?.id, info?.status === 'running');
    }
  }
}
