/**
 * One traversal for both directions (docker/compose's graph traversal): `start` visits a node after all
 * its dependencies, `stop` after all its dependents. A concurrency cap bounds parallel visits and an
 * AbortSignal cancels what has not started. Failures flow downstream as data: in `start` direction a
 * node whose dependency failed is not visited and is `blocked` with the root causes; in `stop`
 * direction the walk goes on (a dependency is stopped even when its dependent failed to stop), unless
 * `blockOnFailure` says otherwise.
 */
import type { DependencyGraph } from './graph.js';

export type Direction = 'start' | 'stop';

export type WalkOutcome<R> =
  | { status: 'done'; value: R; startedAt: number; finishedAt: number }
  | { status: 'failed'; error: unknown; startedAt: number; finishedAt: number }
  /** Not visited because these nodes (the root failures) failed or were blocked on a cycle. */
  | { status: 'blocked'; by: string[] }
  /** Not visited because the signal was aborted first. */
  | { status: 'cancelled' };

export interface WalkOptions<R> {
  direction: Direction;
  visit: (node: string, signal: AbortSignal) => Promise<R>;
  /** Most visits in flight at once; default unbounded. */
  concurrency?: number;
  signal?: AbortSignal;
  /** Restrict the walk to these nodes (edges to other nodes are ignored). Default: every node. */
  only?: Iterable<string>;
  /** Default: true for `start`, false for `stop`. */
  blockOnFailure?: boolean;
  /** Called when a node's outcome is known (for progress events). */
  onOutcome?: (node: string, outcome: WalkOutcome<R>) => void;
}

/**
 * Walks the graph and resolves with every node's outcome (in graph declaration order). Never rejects
 * because a visit failed; nodes on a dependency cycle are `blocked` by the cycle's members.
 */
export async function walk<R>(graph: DependencyGraph, options: WalkOptions<R>): Promise<Map<string, WalkOutcome<R>>> {
  const selected = options.only ? new Set(options.only) : new Set(graph.nodes);
  const nodes = graph.nodes.filter((node) => selected.has(node));
  const before = (node: string): readonly string[] =>
    (options.direction === 'start' ? graph.dependencies.get(node) : graph.dependents.get(node)) ?? [];
  const after = (node: string): readonly string[] =>
    (options.direction === 'start' ? graph.dependents.get(node) : graph.dependencies.get(node)) ?? [];
  const blockOnFailure = options.blockOnFailure ?? options.direction === 'start';
  const limit = Math.max(1, options.concurrency ?? Number.POSITIVE_INFINITY);
  const signal = options.signal ?? new AbortController().signal;

  const outcomes = new Map<string, WalkOutcome<R>>();
  const waiting = new Map<string, number>();
  const causes = new Map<string, Set<string>>();
  for (const node of nodes) waiting.set(node, before(node).filter((n) => selected.has(n)).length);
  const ready: string[] = nodes.filter((node) => waiting.get(node) === 0);
  let running = 0;

  return new Promise((resolve) => {
    const settle = (node: string, outcome: WalkOutcome<R>): void => {
      outcomes.set(node, outcome);
      options.onOutcome?.(node, outcome);
      const failed = outcome.status === 'failed' || outcome.status === 'blocked';
      for (const next of after(node)) {
        if (!selected.has(next) || outcomes.has(next)) continue;
        if (failed && blockOnFailure) {
          const roots = causes.get(next) ?? new Set<string>();
          if (outcome.status === 'blocked') for (const by of outcome.by) roots.add(by);
          else roots.add(node);
          causes.set(next, roots);
        }
        const left = waiting.get(next)! - 1;
        waiting.set(next, left);
        if (left === 0) ready.push(next);
      }
    };

    const pump = (): void => {
      while (ready.length > 0 && running < limit) {
        const node = ready.shift()!;
        const blockedBy = causes.get(node);
        if (blockedBy && blockedBy.size > 0) {
          settle(node, { status: 'blocked', by: [...blockedBy] });
          continue;
        }
        if (signal.aborted) {
          settle(node, { status: 'cancelled' });
          continue;
        }
        running++;
        const startedAt = Date.now();
        let promise: Promise<R>;
        try {
          promise = Promise.resolve(options.visit(node, signal));
        } catch (error) {
          promise = Promise.reject(error);
        }
        promise.then(
          (value) => finish(node, { status: 'done', value, startedAt, finishedAt: Date.now() }),
          (error: unknown) => finish(node, { status: 'failed', error, startedAt, finishedAt: Date.now() }),
        );
      }
      if (running === 0 && ready.length === 0) {
        // Whatever is left waits on a cycle (or on a node that never settled, which cannot happen).
        const stuck = nodes.filter((node) => !outcomes.has(node));
        for (const node of stuck) outcomes.set(node, { status: 'blocked', by: stuck.filter((n) => n !== node || before(node).includes(node)) });
        for (const node of stuck) options.onOutcome?.(node, outcomes.get(node)!);
        resolve(new Map(nodes.map((node) => [node, outcomes.get(node)!])));
      }
    };

    const finish = (node: string, outcome: WalkOutcome<R>): void => {
      running--;
      settle(node, outcome);
      pump();
    };

    pump();
  });
}
