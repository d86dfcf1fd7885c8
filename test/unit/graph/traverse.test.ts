import { describe, expect, it } from 'vitest';
import { traverse, type TraversalNode } from '../../../src/graph/traverse.js';

type M = 'ready';
const node = (id: string, ...deps: Array<string | { node: string; required: false }>): TraversalNode<M> => ({
  id,
  waitsFor: deps.map((dep) => (typeof dep === 'string' ? { node: dep, milestone: 'ready', required: true } : { node: dep.node, milestone: 'ready', required: false })),
});

describe('traverse', () => {
  it('blocks transitively with the root failure named; a non-required dependency does not block', async () => {
    const ran: string[] = [];
    const outcomes = await traverse<M>({
      nodes: [node('a'), node('b', 'a'), node('c', 'b'), node('d', { node: 'a', required: false }), node('e')],
      run: async (id, context) => {
        ran.push(id);
        if (id === 'a') throw new Error('boom');
        context.reach('ready');
      },
    });
    expect(Object.fromEntries([...outcomes].map(([id, o]) => [id, `${o.state}${o.blockedBy ? `:${o.blockedBy}/${o.via}` : ''}`]))).toEqual({
      a: 'failed',
      b: 'blocked:a/a',
      c: 'blocked:a/b',
      d: 'done',
      e: 'done',
    });
    expect(ran.sort()).toEqual(['a', 'd', 'e']);
  });

  it('a node that ends without reaching the milestone a waiter needs blocks that waiter', async () => {
    const outcomes = await traverse<M>({ nodes: [node('a'), node('b', 'a')], run: async () => undefined });
    expect(outcomes.get('b')).toMatchObject({ state: 'blocked', blockedBy: 'a' });
  });

  it('ends a cycle instead of hanging', async () => {
    const outcomes = await traverse<M>({ nodes: [node('a', 'b'), node('b', 'a'), node('c')], run: async (_id, c) => c.reach('ready') });
    expect(outcomes.get('c')?.state).toBe('done');
    expect(outcomes.get('a')?.state).toBe('blocked');
    expect(outcomes.get('b')?.state).toBe('blocked');
  });

  it('never runs more than `parallel` nodes at once', async () => {
    let running = 0;
    let peak = 0;
    await traverse<M>({
      nodes: ['a', 'b', 'c', 'd', 'e'].map((id) => node(id)),
      parallel: 2,
      run: async (_id, context) => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running -= 1;
        context.reach('ready');
      },
    });
    expect(peak).toBe(2);
  });
});
