/**
 * Watches the stack's containers for exits while `up` runs: the engine event stream gives the exit
 * at once; a slow inspect poll backs it up (an event can be missed while the stream connects).
 */
import type { ContainerInfo, Runtime, RuntimeEvent } from '../runtime/runtime.js';

export interface ContainerExit {
  exitCode: number;
  /** How many times this container died during the run. */
  deaths: number;
  oomKilled: boolean;
}

const POLL_MS = 1000;

export class ContainerWatch {
  private readonly deaths = new Map<string, ContainerExit>();
  private readonly waiters = new Map<string, Set<(exit: ContainerExit) => void>>();
  private readonly stop = new AbortController();
  private readonly done: Promise<void>;

  constructor(
    private readonly runtime: Runtime,
    stack: string,
  ) {
    this.done = runtime
      .events(stack, (event) => this.onEvent(event), this.stop.signal)
      .catch(() => undefined); // the poll still covers exits
  }

  private onEvent(event: RuntimeEvent): void {
    if (event.type === 'oom') {
      const previous = this.deaths.get(event.containerId);
      if (previous) previous.oomKilled = true;
      return;
    }
    if (event.type !== 'die') return;
    this.recordExit(event.containerId, event.exitCode, false);
  }

  private recordExit(containerId: string, exitCode: number, oomKilled: boolean): void {
    const previous = this.deaths.get(containerId);
    const exit: ContainerExit = { exitCode, deaths: (previous?.deaths ?? 0) + 1, oomKilled: oomKilled || (previous?.oomKilled ?? false) };
    this.deaths.set(containerId, exit);
    for (const waiter of this.waiters.get(containerId) ?? []) waiter(exit);
  }

  /** Forget earlier exits of a container (it is being started now). */
  reset(containerId: string): void {
    this.deaths.delete(containerId);
  }

  lastExit(containerId: string): ContainerExit | undefined {
    return this.deaths.get(containerId);
  }

  /**
   * Resolves at the `count`-th exit of the container during this run (1 = its next exit), or never
   * (until `signal` aborts, then it rejects).
   */
  waitForExit(containerId: string, signal: AbortSignal, count = 1): Promise<ContainerExit> {
    return new Promise((resolve, reject) => {
      const known = this.deaths.get(containerId);
      if (known && known.deaths >= count) return resolve(known);
      const waiters = this.waiters.get(containerId) ?? new Set();
      this.waiters.set(containerId, waiters);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const cleanup = (): void => {
        waiters.delete(onExit);
        if (timer) clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      };
      const onExit = (exit: ContainerExit): void => {
        if (exit.deaths < count) return;
        cleanup();
        resolve(exit);
      };
      const onAbort = (): void => {
        cleanup();
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      const poll = (): void => {
        timer = setTimeout(() => {
          this.runtime.inspectContainer(containerId).then(
            (info: ContainerInfo | undefined) => {
              if (signal.aborted || !waiters.has(onExit)) return;
              const seen = this.deaths.get(containerId)?.deaths ?? 0;
              if (!info || ((info.status === 'exited' || info.status === 'dead') && seen < count)) {
                // The stream missed it (or it is gone): record it from the inspect.
                this.recordExit(containerId, info?.exitCode ?? -1, info?.oomKilled ?? false);
              }
              if (waiters.has(onExit)) poll();
            },
            () => {
              if (waiters.has(onExit)) poll();
            },
          );
        }, POLL_MS);
      };
      if (signal.aborted) return onAbort();
      waiters.add(onExit);
      signal.addEventListener('abort', onAbort, { once: true });
      poll();
    });
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.done;
  }
}
