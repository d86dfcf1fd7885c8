import { describe, expect, it } from 'vitest';
import { graphOfStack, orderGraph } from '../../../src/graph/graph.js';
import { renderStartOrder, START_ORDER_FORMATS } from '../../../src/graph/render-start-order.js';
import { makeStack } from '../../support/stack-builder.js';

const render = (format: (typeof START_ORDER_FORMATS)[number], stack: ReturnType<typeof makeStack>): string => {
  const graph = graphOfStack(stack);
  return renderStartOrder(format, { stack, graph, ordering: orderGraph(graph) });
};

describe('the printed start order (stackctl plan)', () => {
  const stack = makeStack('demo', { api: { dependsOn: ['db'], probe: true }, db: {}, web: { dependsOn: ['db'] } });

  it('text: levels in file order, start and stop order', () => {
    expect(render('text', stack)).toBe(
      [
        'demo: 3 services in 2 start levels',
        '',
        'level 1',
        '  db        no readiness probe (started = ready)',
        'level 2 (2 in parallel)',
        '  api       ready when tcp :80 accepts; waits for db',
        '  web       no readiness probe (started = ready); waits for db',
        '',
        'start order: db → api → web',
        'stop order:  web → api → db',
        '',
      ].join('\n'),
    );
  });

  it('json: the same order as the graph, the reverse to stop', () => {
    const doc = JSON.parse(render('json', stack)) as { startOrder: string[]; stopOrder: string[]; levels: string[][] };
    expect(doc.levels).toEqual([['db'], ['api', 'web']]);
    expect(doc.startOrder).toEqual(['db', 'api', 'web']);
    expect(doc.stopOrder).toEqual(['web', 'api', 'db']);
  });

  it('text: a cycle is named and its services are left out of the order', () => {
    const text = render('text', makeStack('loop', { a: { dependsOn: ['b'] }, b: { dependsOn: ['a'] }, c: {} }));
    expect(text).toContain('cannot be ordered (dependency cycle): a, b\n  cycle: a → b → a\n');
    expect(text).toContain('start order: c\n');
  });
});
