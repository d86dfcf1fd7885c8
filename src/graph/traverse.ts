/**
 * One traversal for both directions. Nodes wait for *milestones* of other nodes (up: a dependency's
 * `started`, `ready` or `completed`; down: a dependent's `stopped`) and run the moment every one
 * they wait for is reached — DAG-parallel, never level by level — under an optional concurrency cap.
 *
 * Failures flow downstream as data: when a node fails before reaching a milestone someone requires,
 * that waiter becomes `blocked` with the root failing node named (transitively); independent
 * branches go on. When the signal aborts, nothing new starts, running nodes see their signal abort,
 * and waiting nodes end `cancelled`.
 */
export type NodeState = 'waiting' | 'queued' | 'running' | 'done' | 'failed' | 'blocked' | 'cancelled';

export interface WaitFor<M extends string> {
  node: string;
  milestone: M;
  /** When false, a node that will never reach the milestone does not block the waiter. */
  required: boolean;
}

export interface TraversalNode<M extends string> {
  id: string;
  waitsFor: Array<WaitFor<M>>;
}

export interface NodeContext<M extends string> {
  /** Aborted when the traversal is cancelled. */
  signal: AbortSignal;
  /** Announce a milestone: nodes waiting for it may start now. */
  reach(milestone: M): void;
}

export interface NodeOutcome {
  state: 'done' | 'failed' | 'blocked' | 'cancelled';
  /** blocked: the root node whose failure blocked this one. */
  blockedBy?: string;
  /** blocked: the node this one waited for directly. */
  via?: string;
  error?: unknown;
}

export interface TraversalOptions<M extends string> {
  /** In a stable order (ties in the queue are broken by it). */
  nodes: Array<TraversalNode<M>>;
  run(node: string, context: NodeContext<M>): Promise<void>;
  /** At most this many nodes run at once (default: unlimited). */
  parallel?: number;
  signal?: AbortSignal;
  /**
   * An error that means "this node failed" even while the traversal is being cancelled (default:
   * every error after cancellation counts as a cancellation).
   */
  isFailure?(error: unknown): boolean;
  /** Called when a node's state changes (for events and timings). */
  onState?(node: string, state: NodeState, outcome?: NodeOutcome): void;
}

interface Entry<M extends string> {
  node: TraversalNode<M>;
  index: number;
  state: NodeState;
  reached: Set<M>;
  outcome?: NodeOutcome;
}

const FINAL: ReadonlySet<NodeState> = new Set(['done', 'failed', 'blocked', 'cancelled']);

export async function traverse<M extends string>(options: TraversalOptions<M>): Promise<Map<string, NodeOutcome>> {
  const { nodes, run, onState } = options;
  const cap = options.parallel !== undefined && options.parallel > 0 ? options.parallel : Number.POSITIVE_INFINITY;
  const entries = new Map<string, Entry<M>>();
  nodes.forEach((node, index) => entries.set(node.id, { node, index, state: 'waiting', reached: new Set() }));
  const cancel = new AbortController();
  const queue: Array<Entry<M>> = [];
  let running = 0;
  let settle: (() => void) | undefined;
  const allDone = new Promise<void>((resolve) => (settle = resolve));

  const setState = (entry: Entry<M>, state: NodeState, outcome?: NodeOutcome): void => {
    entry.state = state;
    if (outcome) entry.outcome = outcome;
    onState?.(entry.node.id, state, outcome);
  };

  const finish = (entry: Entry<M>, outcome: NodeOutcome): void => {
    setState(entry, outcome.state, outcome);
  };

  /** Is the waiter free to go (true), still waiting (false), or unable to ever go (the blocking node)? */
  const check = (entry: Entry<M>): true | false | { root: string; via: string; cancelled: boolean } => {
    for (const wait of entry.node.waitsFor) {
      const dep = entries.get(wait.node);
      if (!dep) continue; // not part of this traversal: nothing to wait for
      if (dep.reached.has(wait.milestone)) continue;
      if (!FINAL.has(dep.state)) return false;
      if (!wait.required) continue;
      if (dep.state === 'cancelled') return { root: dep.node.id, via: dep.node.id, cancelled: true };
      const root = dep.state === 'blocked' ? (dep.outcome?.blockedBy ?? dep.node.id) : dep.node.id;
      return { root, via: dep.node.id, cancelled: false };
    }
    return true;
  };

  const start = (entry: Entry<M>): void => {
    running += 1;
    setState(entry, 'running');
    const context: NodeContext<M> = {
      signal: cancel.signal,
      reach: (milestone) => {
        if (entry.reached.has(milestone)) return;
        entry.reached.add(milestone);
        pump();
      },
    };
    // Run on a fresh microtask so a synchronous throw is a rejection like any other.
    Promise.resolve()
      .then(() => run(entry.node.id, context))
      .then(
        () => finish(entry, { state: 'done' }),
        (error: unknown) =>
          finish(entry, {
            state: cancel.signal.aborted && !options.isFailure?.(error) ? 'cancelled' : 'failed',
            error,
          }),
      )
      .finally(() => {
        running -= 1;
        pump();
      });
  };

  function pump(): void {
    let changed = true;
    while (changed) {
      changed = false;
      for (const entry of entries.values()) {
        if (entry.state !== 'waiting') continue;
        if (cancel.signal.aborted) {
          finish(entry, { state: 'cancelled' });
          changed = true;
          continue;
        }
        const verdict = check(entry);
        if (verdict === false) continue;
        changed = true;
        if (verdict === true) {
          entry.state = 'queued';
          queue.push(entry);
          queue.sort((a, b) => a.index - b.index);
          onState?.(entry.node.id, 'queued');
        } else if (verdict.cancelled) {
          finish(entry, { state: 'cancelled' });
        } else {
          finish(entry, { state: 'blocked', blockedBy: verdict.root, via: verdict.via });
        }
      }
    }
    while (queue.length > 0 && running < cap) {
      const entry = queue.shift()!;
      if (cancel.signal.aborted) {
        finish(entry, { state: 'cancelled' });
        continue;
      }
      start(entry);
    }
    if (cancel.signal.aborted) {
      for (const entry of queue.splice(0)) finish(entry, { state: 'cancelled' });
    }
    if (running === 0 && [...entries.values()].every((entry) => FINAL.has(entry.state))) settle?.();
    else if (running === 0 && queue.length === 0) {
      // Nothing runs and nothing can start: the rest waits on each other (a cycle) — end them.
      for (const entry of entries.values()) {
        if (!FINAL.has(entry.state)) {
          const waitingOn = entry.node.waitsFor.find((wait) => !FINAL.has(entries.get(wait.node)?.state ?? 'done'))?.node;
          finish(entry, { state: 'blocked', blockedBy: waitingOn ?? entry.node.id, via: waitingOn ?? entry.node.id });
        }
      }
      settle?.();
    }
  }

  const onAbort = (): void => {
    cancel.abort(options.signal?.reason);
    pump();
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  pump();
  await allDone;
  options.signal?.removeEventListener('abort', onAbort);
  return new Map([...entries].map(([id, entry]) => [id, entry.outcome ?? { state: 'done' }]));
}
