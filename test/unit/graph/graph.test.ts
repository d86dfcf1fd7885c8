import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildGraph, formatCycle, orderGraph, transitiveDependencies, transitiveDependents } from '../../../src/graph/graph.js';
import { findCycles } from '../../../src/graph/cycles.js';
import { walk } from '../../../src/graph/walk.js';

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

describe('walk', () => {
  it('visits dependencies first when starting and dependents first when stopping', async () => {
    const graph = g({ web: ['db', 'cache'], db: [], cache: [], worker: ['db'] });
    const started: string[] = [];
    await walk(graph, { direction: 'start', concurrency: 1, visit: async (n) => void started.push(n) });
    expect(started).toEqual(['db', 'cache', 'worker', 'web']);
    const stopped: string[] = [];
    await walk(graph, { direction: 'stop', concurrency: 1, visit: async (n) => void stopped.push(n) });
    expect(stopped.indexOf('web')).toBeLessThan(stopped.indexOf('db'));
    expect(stopped.indexOf('worker')).toBeLessThan(stopped.indexOf('db'));
    expect(stopped.indexOf('web')).toBeLessThan(stopped.indexOf('cache'));
  });

  it('marks dependants of a failure blocked with the root cause, and keeps others going', async () => {
    const graph = g({ db: [], api: ['db'], ui: ['api'], other: [] });
    const outcomes = await walk(graph, {
      direction: 'start',
      visit: async (n) => {
        if (n === 'db') throw new Error('db down');
        return n;
      },
    });
    expect(outcomes.get('db')?.status).toBe('failed');
    expect(outcomes.get('api')).toEqual({ status: 'blocked', by: ['db'] });
    expect(outcomes.get('ui')).toEqual({ status: 'blocked', by: ['db'] });
    expect(outcomes.get('other')?.status).toBe('done');
  });

  it('keeps stopping after a failure in stop direction', async () => {
    const graph = g({ db: [], api: ['db'] });
    const outcomes = await walk(graph, {
      direction: 'stop',
      visit: async (n) => {
        if (n === 'api') throw new Error('stuck');
      },
    });
    expect(outcomes.get('db')?.status).toBe('done');
  });

  it('respects the concurrency cap', async () => {
    const graph = g(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`n${i}`, []])));
    let inFlight = 0;
    let peak = 0;
    await walk(graph, {
      direction: 'start',
      concurrency: 3,
      visit: async () => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
      },
    });
    expect(peak).toBe(3);
  });

  it('cancels what has not started when the signal aborts', async () => {
    const graph = g({ a: [], b: ['a'] });
    const controller = new AbortController();
    const outcomes = await walk(graph, {
      direction: 'start',
      signal: controller.signal,
      visit: async () => controller.abort(),
    });
    expect(outcomes.get('a')?.status).toBe('done');
    expect(outcomes.get('b')).toEqual({ status: 'cancelled' });
  });

  it('blocks the members of a cycle instead of hanging', async () => {
    const outcomes = await walk(g({ a: ['b'], b: ['a'], c: [] }), { direction: 'start', visit: async () => 1 });
    expect(outcomes.get('a')?.status).toBe('blocked');
    expect(outcomes.get('c')?.status).toBe('done');
  });
});
