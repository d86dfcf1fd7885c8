/**
 * Cycle detection: Tarjan's strongly connected components (iterative, so 10,000-node chains do not
 * overflow the call stack), then one concrete closed path per component, starting at the component's
 * first node in declaration order. O(V+E).
 */

/** What cycle detection reads of a graph (graph.ts's DependencyGraph has it; no import back, no cycle). */
interface Edges {
  readonly nodes: readonly string[];
  readonly dependencies: ReadonlyMap<string, readonly string[]>;
}

export function findCycles(graph: Edges): string[][] {
  const cycles: string[][] = [];
  for (const component of stronglyConnectedComponents(graph)) {
    const first = component[0]!;
    if (component.length === 1 && !(graph.dependencies.get(first) ?? []).includes(first)) continue;
    cycles.push(cycleThrough(graph, first, new Set(component)));
  }
  return cycles;
}

/** Components in declaration order of their first node; each component's nodes in declaration order. */
export function stronglyConnectedComponents(graph: Edges): string[][] {
  const order = new Map(graph.nodes.map((node, i) => [node, i]));
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const root of graph.nodes) {
    if (indexOf.has(root)) continue;
    // Explicit DFS stack of [node, next edge index].
    const work: Array<[string, number]> = [[root, 0]];
    indexOf.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const [node, edge] = frame;
      const deps = graph.dependencies.get(node) ?? [];
      if (edge < deps.length) {
        frame[1] = edge + 1;
        const dep = deps[edge]!;
        if (!indexOf.has(dep)) {
          indexOf.set(dep, counter);
          low.set(dep, counter++);
          stack.push(dep);
          onStack.add(dep);
          work.push([dep, 0]);
        } else if (onStack.has(dep)) {
          low.set(node, Math.min(low.get(node)!, indexOf.get(dep)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent[0], Math.min(low.get(parent[0])!, low.get(node)!));
      if (low.get(node) === indexOf.get(node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== node);
        component.sort((a, b) => order.get(a)! - order.get(b)!);
        components.push(component);
      }
    }
  }
  components.sort((a, b) => order.get(a[0]!)! - order.get(b[0]!)!);
  return components;
}

/** Shortest closed path from `start` back to itself inside `members` (BFS). */
function cycleThrough(graph: Edges, start: string, members: Set<string>): string[] {
  const parent = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]!;
    for (const dep of graph.dependencies.get(node) ?? []) {
      if (!members.has(dep)) continue;
      if (dep === start) {
        const path = [start];
        for (let n: string | undefined = node; n !== undefined && n !== start; n = parent.get(n)) path.push(n);
        // path is [start, node, …back to the first hop]; reverse the tail.
        const tail = path.slice(1).reverse();
        return [start, ...tail, start];
      }
      if (!parent.has(dep) && dep !== start) {
        parent.set(dep, node);
        queue.push(dep);
      }
    }
  }
  return [start, start];
}
