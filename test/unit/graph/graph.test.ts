import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildGraph, dependencyOrder, formatCycle, orderGraph, transitiveDependencies, transitiveDependents } from '../../../src/graph/graph.js';
import { findCycles } from '../../../src/graph/cycles.js';

const g = (spec: Record<string, string[]>) => buildGraph(Object.entries(spec).map(([name, dependsOn]) => ({ name, dependsOn })));

const example = g({
  'api-gateway': ['platform-services', 'airtable-gateway', 'mcp-server', 'llm-orchestrator', 'automation-services', 'saga-orchestrator'],
  frontend: ['api-gateway'],
  'llm-orchestrator': ['mcp-server', 'redis'],
  'mcp-server': ['airtable-gateway'],
  'airtable-gateway': ['postgres'],
  'platform-services': ['postgres', 'redis'],
  'automation-services': ['postgres', 'mcp-server'],
  'saga-orchestrator': ['postgres', 'platform-services', 'airtable-gateway'],
  redis: [],
  postgres: [],
});

describe('orderGraph', () => {
  it('computes start levels in declaration order within a level', () => {
    const ordering = orderGraph(example);
    expect(ordering.levels).toEqual([
      ['redis', 'postgres'],
      ['airtable-gateway', 'platform-services'],
      ['mcp-server', 'saga-orchestrator'],
      ['llm-orchestrator', 'automation-services'],
      ['api-gateway'],
      ['frontend'],
    ]);
    expect(ordering.cycles).toEqual([]);
    expect(ordering.blocked).toEqual([]);
  });

  it('names each cycle as a closed path and blocks what depends on it', () => {
    const ordering = orderGraph(g({ a: ['b'], b: ['c'], c: ['a'], d: ['a'], e: [], f: ['f'] }));
    expect(ordering.cycles.map(formatCycle)).toEqual(['a → b → c → a', 'f → f']);
    expect(ordering.blocked).toEqual(['a', 'b', 'c', 'd', 'f']);
    expect(ordering.order).toEqual(['e']);
  });

  it('dependencyOrder: level by level, file order inside a level, not a sweep in file order', () => {
    // A sweep through the file would place c right after b (its dependency is placed by then); the
    // graph's one tie rule puts a and c together in level 1, in file order.
    expect(dependencyOrder(g({ a: ['b'], b: [], c: ['b'] }))).toEqual(['b', 'a', 'c']);
    expect(dependencyOrder(g({ x: ['y'], y: [], z: [] }))).toEqual(['y', 'z', 'x']);
  });

  it('dependencyOrder: nodes on or behind a cycle come last, in file order, each once', () => {
    expect(dependencyOrder(g({ d: ['a'], a: ['b'], b: ['a'], e: [] }))).toEqual(['e', 'd', 'a', 'b']);
  });

  it('ignores unknown and duplicate dependencies', () => {
    const graph = g({ a: ['b', 'b', 'ghost'], b: [] });
    expect(graph.dependencies.get('a')).toEqual(['b']);
    expect(orderGraph(graph).order).toEqual(['b', 'a']);
  });

  it('every node comes after all its dependencies, for any random DAG', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.nat(), { maxLength: 5 }), { maxLength: 40 }), (edges) => {
        // Node i may only depend on nodes with a smaller index: always a DAG.
        const graph = buildGraph(edges.map((deps, i) => ({ name: `n${i}`, dependsOn: i === 0 ? [] : deps.map((d) => `n${d % i}`) })));
        const { order, cycles } = orderGraph(graph);
        expect(cycles).toEqual([]);
        expect(order).toHaveLength(edges.length);
        const position = new Map(order.map((n, i) => [n, i]));
        for (const node of graph.nodes) for (const dep of graph.dependencies.get(node)!) expect(position.get(dep)!).toBeLessThan(position.get(node)!);
      }),
    );
  });

  it('finds a real cycle whenever one exists', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.nat(9), { maxLength: 3 }), { minLength: 1, maxLength: 10 }), (edges) => {
        const graph = buildGraph(edges.map((deps, i) => ({ name: `n${i}`, dependsOn: deps.map((d) => `n${d % edges.length}`) })));
        const { blocked, cycles } = orderGraph(graph);
        expect(blocked.length > 0).toBe(cycles.length > 0);
        for (const cycle of cycles) {
          expect(cycle[0]).toBe(cycle[cycle.length - 1]);
          for (let i = 0; i + 1 < cycle.length; i++) expect(graph.dependencies.get(cycle[i]!)).toContain(cycle[i + 1]);
        }
      }),
    );
  });

  it('handles a 20,000-node chain without overflowing the stack', () => {
    const n = 20_000;
    const graph = buildGraph(Array.from({ length: n }, (_, i) => ({ name: `s${i}`, dependsOn: i === 0 ? [`s${n - 1}`] : [`s${i - 1}`] })));
    expect(findCycles(graph)[0]).toHaveLength(n + 1);
  });
});

describe('transitive helpers', () => {
  it('finds everything upstream and downstream', () => {
    expect([...transitiveDependencies(example, 'mcp-server')].sort()).toEqual(['airtable-gateway', 'postgres']);
    expect([...transitiveDependents(example, 'saga-orchestrator')].sort()).toEqual(['api-gateway', 'frontend']);
  });
});
