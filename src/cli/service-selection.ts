/**
 * `up SERVICE…`, `start SERVICE…`, `build SERVICE…`: the services named on the command line, checked
 * against the stack, optionally with everything they depend on (what compose does for `up web`).
 */
import type { Stack } from '../config/model.js';
import { UsageError } from '../errors.js';
import { graphOfStack, transitiveDependencies } from '../graph/graph.js';

/** Throws a usage error naming the unknown services and listing the stack's. */
export function checkServiceNames(stack: Stack, names: readonly string[]): void {
  const known = new Set(stack.services.map((service) => service.name));
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new UsageError(`stack ${stack.name} has no service ${unknown.map((name) => `"${name}"`).join(', ')}`, {
      hint: `its services: ${[...known].join(', ')}`,
    });
  }
}

/** The stack cut down to the named services (and, by default, what they depend on); all when none are named. */
export function selectServices(stack: Stack, names: readonly string[], { withDependencies = true } = {}): Stack {
  if (names.length === 0) return stack;
  checkServiceNames(stack, names);
  const keep = new Set(names);
  if (withDependencies) {
    const graph = graphOfStack(stack);
    for (const name of names) for (const dependency of transitiveDependencies(graph, name)) keep.add(dependency);
  }
  return { ...stack, services: stack.services.filter((service) => keep.has(service.name)) };
}
