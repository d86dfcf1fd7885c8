/**
 * Image preparation before planning: each service's image is built (skipped by the runtime when the
 * context hash matches), pulled when absent, or looked up — in parallel, deduplicated by reference.
 * The resulting image ids feed reconcile (they are part of the config hash).
 */
import type { BuildSpec, Service, Stack } from '../config/model.js';
import { buildSchedulingFromEnv, criticalPathRank, planSharedPrefixes, prefixOfService, priorityLimiter, type BuildScheduling } from './build-plan.js';
import { UsageError } from '../errors.js';
import { imageRef } from '../plan/container-spec.js';
import type { Runtime } from '../runtime/runtime.js';
import { ServiceFailure } from './failure.js';

export type ContextHashFn = (build: BuildSpec, service: string) => Promise<string>;

export interface PrepareImagesOptions {
  runtime: Runtime;
  /**
   * false = --no-build: use the built image as it is; missing is a failure. A set: build only those
   * services (watch's rebuild), the others as with false.
   */
  build: boolean | ReadonlySet<string>;
  contextHash: ContextHashFn;
  /** `stackctl build --no-cache / --pull`. */
  noCache?: boolean;
  pull?: boolean;
  signal: AbortSignal;
  /** How many builds/pulls run at once. */
  concurrency: number;
  onPhase(service: string, phase: 'building' | 'pulling', detail?: string): void;
  onProgress(service: string, line: string): void;
  onDone(service: string, imageId: string, durationMs: number, detail: string): void;
  clock(): number;
  /** Shared prefixes and critical-path order (default: buildSchedulingFromEnv(process.env)). */
  scheduling?: BuildScheduling;
}

export interface PreparedImages {
  imageIds: Map<string, string>;
  failures: Map<string, ServiceFailure>;
  /** Build (or pull, or lookup) time per service, ms. */
  durations: Map<string, number>;
  /** stageImages' early answer: the fresh builds still running, service → its image id (or its ServiceFailure). */
  pending: Map<string, Promise<string>>;
}

/** Runs at most `concurrency` tasks at a time, in call order. */
export function limiter(concurrency: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  return async (task) => {
    if (active >= concurrency) await new Promise<void>((resolve) => queue.push(resolve));
    active += 1;
    try {
      return await task();
    } finally {
      active -= 1;
      queue.shift()?.();
    }
  };
}

/**
 * Scheduling of builds. An image that already exists is most likely up to date (the runtime skips
 * the build when the context hash matches): those checks all run at once. Fresh builds are planned
 * together (build-plan.ts): steps several Dockerfiles share are built once first as a stage image,
 * the images that start with them follow and take those layers from the cache, and a free build
 * slot goes to the service heading the longest chain of dependents.
 */
export async function prepareImages(stack: Stack, services: Service[], options: PrepareImagesOptions): Promise<PreparedImages> {
  return stageImages(stack, services, options).done;
}

export interface StagedImages {
  /**
   * Every image but the fresh builds is settled (their ids or failures are in); the fresh builds
   * still running are in `pending`. With `deferFresh` unset, the same as `done`.
   */
  early: Promise<PreparedImages>;
  done: Promise<PreparedImages>;
}

export function stageImages(stack: Stack, services: Service[], options: PrepareImagesOptions & { deferFresh?: boolean }): StagedImages {
  const { runtime, signal } = options;
  const scheduling = options.scheduling ?? buildSchedulingFromEnv(process.env);
  const rank = scheduling.criticalPath ? criticalPathRank(stack) : new Map<string, number>();
  const priority = (service: string): number => rank.get(service) ?? 0;
  const limit = priorityLimiter(Math.max(1, options.concurrency));
  const result: PreparedImages = { imageIds: new Map(), failures: new Map(), durations: new Map(), pending: new Map() };

  // One entry per distinct image: two services naming the same image and build share one build.
  const keyOf = (service: Service): string =>
    `${imageRef(stack, service)}\u0000${service.build && buildsService(options.build, service.name) ? JSON.stringify(service.build) : ''}`;
  const firstOfKey = new Map<string, Service>();
  for (const service of services) if (!firstOfKey.has(keyOf(service))) firstOfKey.set(keyOf(service), service);
  const distinct = [...firstOfKey.values()];
  const toBuild = distinct.filter((service) => service.build && buildsService(options.build, service.name));

  const build = (service: Service, build: BuildSpec, task: { tag: string; label: string; onProgress(line: string): void }) =>
    (async (): Promise<{ imageId: string; detail: string }> => {
      let contextHash: string;
      try {
        contextHash = await options.contextHash(build, task.label);
      } catch (error) {
        throw new ServiceFailure(`cannot read the build context of ${service.name}`, { service: service.name, phase: 'build', error }, { cause: error });
      }
      try {
        const built = await runtime.buildImage({
          stack: stack.name,
          service: task.label,
          tag: task.tag,
          build,
          contextHash,
          signal,
          onProgress: task.onProgress,
          ...(options.noCache ? { noCache: true } : {}),
          ...(options.pull ? { pull: true } : {}),
        });
        if (built.steps) {
          const { total, cached } = built.steps;
          task.onProgress(`${total - cached} of ${total} steps ran, ${cached} from the layer cache`);
        }
        return { imageId: built.imageId, detail: built.built ? 'built' : 'up to date' };
      } catch (error) {
        throw new ServiceFailure(`image build of ${service.name} failed`, { service: service.name, phase: 'build', error }, { cause: error });
      }
    })();

  const ownBuild = (service: Service): Promise<{ imageId: string; detail: string }> => {
    options.onPhase(service.name, 'building');
    return build(service, service.build!, { tag: imageRef(stack, service), label: service.name, onProgress: (line) => options.onProgress(service.name, line) });
  };

  const pullOrLookup = async (service: Service): Promise<{ imageId: string; detail: string }> => {
    const ref = imageRef(stack, service);
    const existing = await runtime.imageId(ref);
    if (existing) return { imageId: existing, detail: 'present' };
    if (service.build) {
      const error = new UsageError(`image ${ref} is not built and --no-build was given`, {
        service: service.name,
        hint: 'run `stackctl up` without --no-build once to build it',
      });
      throw new ServiceFailure(error.message, { service: service.name, phase: 'build', error }, { cause: error });
    }
    return limit(priority(service.name), async () => {
      options.onPhase(service.name, 'pulling', ref);
      try {
        await runtime.pullImage(ref, (line) => options.onProgress(service.name, line), signal);
        const pulled = await runtime.imageId(ref);
        if (!pulled) throw new Error(`image ${ref} is still absent after the pull`);
        return { imageId: pulled, detail: 'pulled' };
      } catch (error) {
        throw new ServiceFailure(`cannot pull image ${ref}`, { service: service.name, phase: 'pull', error }, { cause: error });
      }
    });
  };

  // Which builds are fresh (no image yet): those are planned together; the others are checks.
  const fresh = (async (): Promise<Set<string>> => {
    const absent = await Promise.all(toBuild.map(async (service) => ((await runtime.imageId(imageRef(stack, service)).catch(() => undefined)) === undefined ? service.name : '')));
    return new Set(absent.filter(Boolean));
  })();

  const schedule = async (): Promise<Map<string, Promise<{ imageId: string; detail: string }>>> => {
    const freshNames = await fresh;
    const tasks = new Map<string, Promise<{ imageId: string; detail: string }>>();
    const freshServices = toBuild.filter((service) => freshNames.has(service.name));
    for (const service of distinct) {
      if (!freshNames.has(service.name)) tasks.set(service.name, toBuild.includes(service) ? ownBuild(service) : pullOrLookup(service));
    }
    if (scheduling.sharing === 'prefix' && freshServices.length >= 2) {
      const prefixes = await planSharedPrefixes(stack, freshServices).catch(() => []);
      const stages = new Map<string, Promise<unknown>>();
      for (const prefix of prefixes) {
        const parent = prefix.parent === undefined ? undefined : stages.get(prefix.parent);
        const representative = freshServices.find((service) => service.name === prefix.members[0])!;
        const stage = (async () => {
          await parent;
          return limit(Math.max(...prefix.members.map(priority)) + 0.5, () => {
            for (const member of prefix.members) options.onPhase(member, 'building', `steps shared with ${prefix.members.length - 1} other image${prefix.members.length === 2 ? '' : 's'} (${prefix.tag})`);
            return build(representative, prefix.build, {
              tag: prefix.tag,
              label: `shared prefix of ${prefix.members.join(', ')}`,
              onProgress: (line) => prefix.members.forEach((member) => options.onProgress(member, line)),
            });
          });
        })();
        // A failed stage is not the members' failure: each builds on its own and reports its own error.
        stages.set(prefix.key, stage.catch(() => undefined));
      }
      const prefixOf = prefixOfService(prefixes);
      for (const service of freshServices) {
        const stage = stages.get(prefixOf.get(service.name)?.key ?? '');
        tasks.set(service.name, (async () => {
          await stage;
          return limit(priority(service.name), () => ownBuild(service));
        })());
      }
      return tasks;
    }
    // context: the first fresh build of a context runs alone, the others of it follow it.
    const firstOfContext = new Map<string, Promise<unknown>>();
    for (const service of freshServices) {
      const context = service.build!.context;
      const first = scheduling.sharing === 'context' ? firstOfContext.get(context) : undefined;
      const task = (async () => {
        await first;
        return limit(priority(service.name), () => ownBuild(service));
      })();
      if (scheduling.sharing === 'context' && !first) firstOfContext.set(context, task.catch(() => undefined));
      tasks.set(service.name, task);
    }
    return tasks;
  };

  const record = (service: Service, started: number, outcome: Promise<{ imageId: string; detail: string }>): Promise<void> =>
    outcome.then(
      ({ imageId, detail }) => {
        const duration = options.clock() - started;
        result.imageIds.set(service.name, imageId);
        result.durations.set(service.name, duration);
        options.onDone(service.name, imageId, duration, detail);
      },
      (error: unknown) => {
        result.durations.set(service.name, options.clock() - started);
        const failure =
          error instanceof ServiceFailure
            ? error.context.service === service.name
              ? error
              : new ServiceFailure(error.message, { ...error.context, service: service.name }, { cause: error.context.error })
            : new ServiceFailure(`cannot prepare the image of ${service.name}`, { service: service.name, phase: 'build', error }, { cause: error });
        result.failures.set(service.name, failure);
      },
    );

  const started = options.clock();
  const scheduled = schedule();
  const settled = new Map<string, Promise<void>>();
  for (const service of services) {
    const first = firstOfKey.get(keyOf(service))!;
    const outcome = scheduled.then((tasks) => tasks.get(first.name)!);
    settled.set(service.name, record(service, started, outcome));
  }
  const done = Promise.all(settled.values()).then(() => {
    result.pending.clear();
    return result;
  });
  if (!options.deferFresh || !scheduling.criticalPath) return { early: done, done };
  const early = fresh.then(async (freshNames) => {
    const now: Array<Promise<void>> = [];
    for (const service of services) {
      const first = firstOfKey.get(keyOf(service))!;
      const outcome = settled.get(service.name)!;
      if (!freshNames.has(first.name)) now.push(outcome);
      else
        result.pending.set(
          service.name,
          outcome.then(() => {
            const failure = result.failures.get(service.name);
            if (failure) throw failure;
            return result.imageIds.get(service.name)!;
          }),
        );
    }
    await Promise.all(now);
    return { imageIds: new Map(result.imageIds), failures: new Map(result.failures), durations: new Map(result.durations), pending: new Map(result.pending) };
  });
  return { early, done };
}

function buildsService(build: boolean | ReadonlySet<string>, service: string): boolean {
  return typeof build === 'boolean' ? build : build.has(service);
}
