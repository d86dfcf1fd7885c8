/**
 * The printed start order (`stackctl plan --format …`): levels, start and stop order as text,
 * Mermaid, Graphviz DOT or JSON. Deterministic: the same stack prints the same bytes. Named "start
 * order" in code so that "plan" means one thing, the reconcile Plan of plan/plan.ts; the command
 * keeps its name.
 */
import type { Service, Stack } from '../config/model.js';
import type { DependencyGraph, Ordering } from './graph.js';

export const START_ORDER_JSON_SCHEMA_VERSION = 1;

export type StartOrderFormat = 'text' | 'mermaid' | 'dot' | 'json';
export const START_ORDER_FORMATS: readonly StartOrderFormat[] = ['text', 'mermaid', 'dot', 'json'];

export interface StartOrderInput {
  stack: Pick<Stack, 'name' | 'services'>;
  graph: DependencyGraph;
  ordering: Ordering;
}

export function renderStartOrder(format: StartOrderFormat, input: StartOrderInput): string {
  switch (format) {
    case 'text':
      return startOrderText(input);
    case 'mermaid':
      return startOrderMermaid(input);
    case 'dot':
      return startOrderDot(input);
    case 'json':
      return startOrderJson(input);
  }
}

function probeLabel(service: Service): string {
  const probe = service.readiness?.probe;
  if (!probe) return 'no readiness probe (started = ready)';
  switch (probe.kind) {
    case 'http':
      return `ready when ${probe.method} :${probe.port}${probe.path} → ${probe.status.min === probe.status.max ? probe.status.min : `${probe.status.min}-${probe.status.max}`}`;
    case 'tcp':
      return `ready when tcp :${probe.port} accepts`;
    case 'postgres':
      return `ready when postgres :${probe.port} accepts a login`;
    case 'redis':
      return `ready when redis :${probe.port} answers PING${probe.password !== undefined ? ' (with AUTH)' : ''}`;
    case 'exec':
      return `ready when \`${probe.command.join(' ')}\` exits 0`;
    case 'log':
      return `ready when the log matches /${probe.pattern}/`;
  }
}

function waitsFor(service: Service): string {
  if (service.dependsOn.length === 0) return '';
  return `waits for ${service.dependsOn.map((d) => (d.condition === 'ready' ? d.service : `${d.service} (${d.condition})`)).join(', ')}`;
}

export function startOrderText({ stack, ordering }: StartOrderInput): string {
  const byName = new Map(stack.services.map((s) => [s.name, s]));
  const width = Math.max(8, ...stack.services.map((s) => s.name.length));
  const lines = [
    `${stack.name}: ${stack.services.length} service${stack.services.length === 1 ? '' : 's'} in ${ordering.levels.length} start level${ordering.levels.length === 1 ? '' : 's'}`,
    '',
  ];
  ordering.levels.forEach((level, i) => {
    lines.push(`level ${i + 1}${level.length > 1 ? ` (${level.length} in parallel)` : ''}`);
    for (const name of level) {
      const service = byName.get(name)!;
      const waits = waitsFor(service);
      lines.push(`  ${name.padEnd(width)}  ${probeLabel(service)}${waits ? `; ${waits}` : ''}`);
    }
  });
  if (ordering.blocked.length > 0) {
    lines.push('', `cannot be ordered (dependency cycle): ${ordering.blocked.join(', ')}`);
    for (const cycle of ordering.cycles) lines.push(`  cycle: ${cycle.join(' → ')}`);
  }
  lines.push('', `start order: ${ordering.order.join(' → ')}`, `stop order:  ${[...ordering.order].reverse().join(' → ')}`);
  return `${lines.join('\n')}\n`;
}

function ids(stack: StartOrderInput['stack']): Map<string, string> {
  return new Map(stack.services.map((s, i) => [s.name, `s${i}`]));
}

/** Arrows point from a dependency to its dependant: the direction things start in. */
export function startOrderMermaid({ stack, ordering }: StartOrderInput): string {
  const id = ids(stack);
  const lines = ['flowchart LR'];
  ordering.levels.forEach((level, i) => {
    lines.push(`  subgraph L${i + 1}["level ${i + 1}"]`);
    for (const name of level) lines.push(`    ${id.get(name)}["${name}"]`);
    lines.push('  end');
  });
  for (const name of ordering.blocked) lines.push(`  ${id.get(name)}["${name}"]:::blocked`);
  for (const service of stack.services) {
    for (const dep of service.dependsOn) {
      if (!id.has(dep.service)) continue;
      const arrow = dep.condition === 'ready' ? '-->' : `-- ${dep.condition} -->`;
      lines.push(`  ${id.get(dep.service)} ${arrow} ${id.get(service.name)}`);
    }
  }
  if (ordering.blocked.length > 0) lines.push('  classDef blocked fill:#fdd,stroke:#c00');
  return `${lines.join('\n')}\n`;
}

export function startOrderDot({ stack, ordering }: StartOrderInput): string {
  const q = (text: string): string => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const lines = [`digraph ${q(stack.name)} {`, '  rankdir=LR;', '  node [shape=box, style=rounded];'];
  ordering.levels.forEach((level) => {
    lines.push(`  { rank=same; ${level.map(q).join('; ')}; }`);
  });
  for (const name of ordering.blocked) lines.push(`  ${q(name)} [color=red];`);
  for (const service of stack.services) {
    for (const dep of service.dependsOn) {
      if (!stack.services.some((s) => s.name === dep.service)) continue;
      lines.push(`  ${q(dep.service)} -> ${q(service.name)}${dep.condition === 'ready' ? '' : ` [label=${q(dep.condition)}, style=dashed]`};`);
    }
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

export function startOrderJson({ stack, ordering }: StartOrderInput): string {
  const level = new Map<string, number>();
  ordering.levels.forEach((names, i) => names.forEach((n) => level.set(n, i + 1)));
  const doc = {
    schemaVersion: START_ORDER_JSON_SCHEMA_VERSION,
    stack: stack.name,
    levels: ordering.levels,
    startOrder: ordering.order,
    stopOrder: [...ordering.order].reverse(),
    cycles: ordering.cycles,
    blocked: ordering.blocked,
    services: stack.services.map((s) => ({
      name: s.name,
      level: level.get(s.name) ?? null,
      dependsOn: s.dependsOn.map((d) => ({ service: d.service, condition: d.condition })),
      readiness: s.readiness?.probe.kind ?? null,
    })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
