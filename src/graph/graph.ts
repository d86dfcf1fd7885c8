/**
 * The dependency DAG of a stack: nodes are services (in file order), an edge `a → b` means "a depends
 * on b". This module owns order: start levels, topological order, cycles and dependents (direct and
 * transitive, both directions); `traverse.ts` walks the graph in either direction. Everything else
 * asks these functions instead of computing order itself.
 *
 * The one tie rule: level by level (Kahn's algorithm: a node's level is one more than its deepest
 * dependency's), declaration (file) order inside a level; nodes on or behind a cycle come last, in
 * declaration order. All O(V+E) and deterministic, so `stackctl plan` prints the same text every time.
 */
import type { Stack } from '../config/model.js';
import { findCycles } from './cycles.js';

export interface DependencyGraph {
  /** Node names in declaration order. */
  readonly nodes: readonly string[];
  /** node → the nodes it depends on (declaration order, no duplicates, only known nodes). */
  readonly dependencies: ReadonlyMap<string, readonly string[]>;
  /** node → the nodes that depend on it (declaration order). */
  readonly dependents: ReadonlyMap<string, readonly string[]>;
}

export interface GraphInput {
  name: string;
  dependsOn: readonly string[];
}

/** Builds the graph; dependencies on unknown nodes are left out (the DEP001 rule reports them). */
export function buildGraph(inputs: Iterable<GraphInput>): DependencyGraph {
  const list = [...inputs];
  const nodes: string[] = [];
  const known = new Set<string>();
  for (const input of list) {
    if (!known.has(input.name)) {
      known.add(input.name);
      nodes.push(input.name);
    }
  }
  const dependencies = new Map<string, string[]>(nodes.map((n) => [n, []]));
  const dependents = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const input of list) {
    const deps = dependencies.get(input.name)!;
    const seen = new Set(deps);
    for (const dep of input.dependsOn) {
      if (!known.has(dep) || seen.has(dep)) continue;
      seen.add(dep);
      deps.push(dep);
      dependents.get(dep)!.push(input.name);
    }
  }
  return { nodes, dependencies, dependents };
}

export function graphOfStack(stack: Pick<Stack, 'services'>): DependencyGraph {
  return buildGraph(stack.services.map((service) => ({ name: service.name, dependsOn: service.dependsOn.map((d) => d.service) })));
}

export interface Ordering {
  /** Start levels: level 0 has no dependencies; every node's dependencies are in earlier levels. */
  levels: string[][];
  /** Topological (start) order: the levels concatenated. */
  order: string[];
  /** Cycles, each written as a closed path `[a, b, c, a]` (a depends on b …). */
  cycles: string[][];
  /** Nodes that cannot be ordered: on a cycle or depending (transitively) on one. */
  blocked: string[];
}

/** Kahn's algorithm by levels, O(V+E). */
export function orderGraph(graph: DependencyGraph): Ordering {
  const remaining = new Map<string, number>();
  for (const node of graph.nodes) remaining.set(node, graph.dependencies.get(node)!.length);
  const index = new Map(graph.nodes.map((node, i) => [node, i]));
  const levels: string[][] = [];
  let current = graph.nodes.filter((node) => remaining.get(node) === 0);
  let placed = 0;
  while (current.length > 0) {
    levels.push(current);
    placed += current.length;
    const next: string[] = [];
    for (const node of current) {
      for (const dependent of graph.dependents.get(node)!) {
        const left = remaining.get(dependent)! - 1;
        remaining.set(dependent, left);
        if (left === 0) next.push(dependent);
      }
    }
    // Keep declaration order inside a level.
    next.sort((a, b) => index.get(a)! - index.get(b)!);
    current = next;
  }
  const blocked = placed === graph.nodes.length ? [] : graph.nodes.filter((node) => remaining.get(node)! > 0);
  return { levels, order: levels.flat(), cycles: blocked.length > 0 ? findCycles(graph) : [], blocked };
}

/**
 * Every node, dependencies before dependents (the tie rule above); nodes that cannot be ordered (a
 * cycle, which validation forbids) follow in declaration order, so every node is there once.
 */
export function dependencyOrder(graph: DependencyGraph): string[] {
  const { order, blocked } = orderGraph(graph);
  return [...order, ...blocked];
}

/** Every node `node` depends on, directly or not (excluding itself unless on a cycle). */
export function transitiveDependencies(graph: DependencyGraph, node: string): Set<string> {
  return reach(node, (n) => graph.dependencies.get(n) ?? []);
}

/** Every node that depends on `node`, directly or not. */
export function transitiveDependents(graph: DependencyGraph, node: string): Set<string> {
  return reach(node, (n) => graph.dependents.get(n) ?? []);
}

function reach(start: string, next: (node: string) => readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...next(start)];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    stack.push(...next(node));
  }
  return seen;
}

/** `a → b → c → a` */
export function formatCycle(cycle: readonly string[]): string {
  return cycle.join(' → ');
}
