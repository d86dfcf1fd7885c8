/**
 * Follows every service's container output into a per-service ring buffer, re-attaching when the
 * container restarts or is replaced, so `logs -f` through the daemon carries on across restarts and
 * the last lines of a container survive its removal. Memory is bounded: `linesPerService` lines of
 * at most `maxLineLength` characters each.
 *
 * A line printed in the first instants after a restart, before the collector re-attaches, can be
 * missing here; `docker logs` (and `stackctl logs` without -f) read the engine's complete log.
 */
import type { Runtime } from '../runtime/runtime.js';
import type { LogLine } from './api-types.js';
import { RingBuffer } from './ring-buffer.js';

export interface LogCollectorOptions {
  linesPerService: number;
  maxLineLength: number;
  /** Lines read from a container's history when first attaching to it. */
  initialTail: number;
}

export const DEFAULT_LOG_COLLECTOR: LogCollectorOptions = { linesPerService: 300, maxLineLength: 2_000, initialTail: 100 };

interface Follower {
  containerId: string;
  controller: AbortController;
  running: Promise<void>;
}

export class LogCollector {
  private readonly rings = new Map<string, RingBuffer<LogLine>>();
  private readonly followers = new Map<string, Follower>();
  /** Containers already read once: on re-attach only new lines are wanted. */
  private readonly attachedBefore = new Set<string>();
  private readonly listeners = new Set<{ services: Set<string>; fn: (line: LogLine) => void }>();
  private closed = false;

  constructor(
    private readonly runtime: Runtime,
    services: string[],
    private readonly options: LogCollectorOptions = DEFAULT_LOG_COLLECTOR,
    private readonly clock: () => number = Date.now,
  ) {
    for (const service of services) this.rings.set(service, new RingBuffer(options.linesPerService));
  }

  has(service: string): boolean {
    return this.rings.has(service);
  }

  /**
   * Makes sure the service's running container is followed. Call whenever the container may have
   * (re)started; a no-op when it is already followed.
   */
  attach(service: string, containerId: string | undefined, running: boolean): void {
    if (this.closed || !this.rings.has(service)) return;
    const current = this.followers.get(service);
    if (current && current.containerId === containerId) return;
    if (current) current.controller.abort();
    this.followers.delete(service);
    if (!containerId || !running) return;
    const controller = new AbortController();
    const tail = this.attachedBefore.has(containerId) ? 0 : this.options.initialTail;
    this.attachedBefore.add(containerId);
    if (this.attachedBefore.size > 1_000) this.attachedBefore.clear();
    const follower: Follower = {
      containerId,
      controller,
      running: this.runtime
        .followLogs(containerId, (line) => this.add(service, line), controller.signal, tail)
        .catch(() => undefined)
        .finally(() => {
          // The stream ends when the container stops: forget it, so its next start re-attaches.
          if (this.followers.get(service) === follower) this.followers.delete(service);
        }),
    };
    this.followers.set(service, follower);
  }

  private add(service: string, raw: string): void {
    const text = raw.length > this.options.maxLineLength ? `${raw.slice(0, this.options.maxLineLength)}…` : raw;
    const line: LogLine = { service, at: new Date(this.clock()).toISOString(), line: text };
    this.rings.get(service)?.push(line);
    for (const listener of this.listeners) {
      if (listener.services.size === 0 || listener.services.has(service)) listener.fn(line);
    }
  }

  /** The newest `tail` lines of the services (all when empty), service by service. */
  recent(services: string[], tail: number): LogLine[] {
    const names = services.length > 0 ? services : [...this.rings.keys()];
    return names.flatMap((name) => this.rings.get(name)?.last(tail) ?? []);
  }

  subscribe(services: string[], fn: (line: LogLine) => void): () => void {
    const listener = { services: new Set(services), fn };
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    const running = [...this.followers.values()];
    for (const follower of running) follower.controller.abort();
    this.followers.clear();
    this.listeners.clear();
    await Promise.allSettled(running.map((follower) => follower.running));
  }
}
