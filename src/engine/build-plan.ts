/**
 * How a stack's fresh builds are scheduled, knowing every image before the first one starts:
 *
 *  - shared prefixes (dockerfile/shared-prefix.ts): steps several Dockerfiles have in common are
 *    built once, as a stage image tagged under the stack's name, before the images that start with
 *    them — which then take those layers from the engine's cache instead of each running them;
 *  - critical-path order: among builds waiting for a slot, the one whose service heads the longest
 *    chain of dependents goes first, so the first services can start while later images still build.
 *
 * Both can be switched off (STACKCTL_BUILD_SHARING, STACKCTL_BUILD_ORDER) to measure what each gains
 * (bench/cold-build-bench.mjs).
 */
import type { BuildSpec, Service, Stack } from '../config/model.js';
import { copySources, resolveSteps, sharedPrefixes, sourcesKey, type PrefixCandidate, type SharedPrefix } from '../dockerfile/shared-prefix.js';
import { graphOfStack } from '../graph/graph.js';
import { prepareBuildContext } from '../runtime/build-context.js';
import { digestCopySources } from '../runtime/context-hash.js';

/**
 * prefix: shared prefixes built once (default); context: the first fresh build of each context runs
 * alone and the others of that context follow it; none: every build at once (as compose does).
 */
export type BuildSharing = 'prefix' | 'context' | 'none';

export interface BuildScheduling {
  sharing: BuildSharing;
  /** Critical-path order of builds, and services started while later images still build. */
  criticalPath: boolean;
}

/** The scheduling in effect: the defaults, or what STACKCTL_BUILD_SHARING / STACKCTL_BUILD_ORDER say. */
export function buildSchedulingFromEnv(env: Readonly<Record<string, string | undefined>>): BuildScheduling {
  const sharing = env.STACKCTL_BUILD_SHARING;
  const order = env.STACKCTL_BUILD_ORDER;
  return {
    sharing: sharing === 'context' || sharing === 'none' ? sharing : 'prefix',
    criticalPath: order !== 'declared',
  };
}

/**
 * Rank of each service for build order: how many services the longest chain of its dependents
 * holds, itself included (the first service of the critical path ranks highest).
 */
export function criticalPathRank(stack: Pick<Stack, 'services'>): Map<string, number> {
  const graph = graphOfStack(stack);
  const rank = new Map<string, number>();
  const visiting = new Set<string>();
  const chain = (node: string): number => {
    const known = rank.get(node);
    if (known !== undefined) return known;
    if (visiting.has(node)) return 1; // a cycle: validation reports it; rank it as a leaf
    visiting.add(node);
    const below = Math.max(0, ...(graph.dependents.get(node) ?? []).map(chain));
    visiting.delete(node);
    rank.set(node, below + 1);
    return below + 1;
  };
  for (const service of stack.services) chain(service.name);
  return rank;
}

/** Runs at most `concurrency` tasks at a time; a free slot goes to the waiting task of highest priority (then call order). */
export function priorityLimiter(concurrency: number): <T>(priority: number, task: () => Promise<T>) => Promise<T> {
  let active = 0;
  let calls = 0;
  const queue: Array<{ priority: number; order: number; go: () => void }> = [];
  const next = (): void => {
    if (active >= concurrency || queue.length === 0) return;
    let best = 0;
    queue.forEach((entry, index) => {
      const current = queue[best]!;
      if (entry.priority > current.priority || (entry.priority === current.priority && entry.order < current.order)) best = index;
    });
    const [entry] = queue.splice(best, 1);
    active += 1;
    entry?.go();
  };
  return async (priority, task) => {
    await new Promise<void>((resolve) => {
      queue.push({ priority, order: calls++, go: resolve });
      next();
    });
    try {
      return await task();
    } finally {
      active -= 1;
      next();
    }
  };
}

/** A shared prefix, with what its stage image is built from. */
export interface PrefixBuild extends SharedPrefix {
  tag: string;
  build: BuildSpec;
}

/** `<stack>-build-prefix:<key>`: the stage image's tag, under the stack's name. */
export function prefixTag(stack: string, key: string): string {
  const name = stack.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'stack';
  return `${name}-build-prefix:${key.slice(0, 12)}`;
}

/**
 * The shared prefixes of these services' Dockerfiles (nested ones after their parent). A service
 * whose context or Dockerfile cannot be read is left out: its own build reports why.
 */
export async function planSharedPrefixes(stack: Stack, services: readonly Service[]): Promise<PrefixBuild[]> {
  const candidates: PrefixCandidate[] = [];
  const builds = new Map<string, BuildSpec>();
  await Promise.all(
    services.map(async (service) => {
      const build = service.build;
      if (!build) return;
      try {
        const prepared = await prepareBuildContext(build, service.name);
        const digests = new Map<string, string>();
        for (const sources of copySources(prepared.dockerfile)) {
          const digest = await digestCopySources(prepared, sources);
          if (digest !== undefined) digests.set(sourcesKey(sources), digest);
        }
        candidates.push({ id: service.name, resolved: resolveSteps(prepared.dockerfile, build.args, digests) });
        builds.set(service.name, build);
      } catch {
        // the service's own build says what is wrong
      }
    }),
  );
  // In the stack's order, so the stage is built from the first service's context, whatever finished reading first.
  const order = new Map(services.map((service, index) => [service.name, index]));
  candidates.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  return sharedPrefixes(candidates).map((prefix) => {
    const first = builds.get(prefix.members[0] ?? '')!;
    return {
      ...prefix,
      tag: prefixTag(stack.name, prefix.key),
      build: { context: first.context, dockerfileInline: prefix.dockerfile, args: first.args, additionalContexts: {}, location: first.location },
    };
  });
}

/** The deepest shared prefix each service builds on. */
export function prefixOfService(prefixes: readonly PrefixBuild[]): Map<string, PrefixBuild> {
  const out = new Map<string, PrefixBuild>();
  for (const prefix of prefixes) {
    for (const member of prefix.members) {
      const current = out.get(member);
      if (!current || prefix.length > current.length) out.set(member, prefix);
    }
  }
  return out;
}
