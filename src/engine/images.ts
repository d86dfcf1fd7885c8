/**
 * Image preparation before planning: each service's image is built (skipped by the runtime when the
 * context hash matches), pulled when absent, or looked up — in parallel, deduplicated by reference.
 * The resulting image ids feed reconcile (they are part of the config hash).
 */
import type { BuildSpec, Service, Stack } from '../config/model.js';
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
}

export interface PreparedImages {
  imageIds: Map<string, string>;
  failures: Map<string, ServiceFailure>;
  /** Build (or pull, or lookup) time per service, ms. */
  durations: Map<string, number>;
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
 * the build when the context hash matches): those checks all run at once. A fresh build is heavy
 * and services built from one context usually share their first layers (the example stack's eight
 * Python services do): the first fresh build of a context runs alone, the others of that context
 * wait for it and then reuse its cached layers, at most `concurrency` at a time.
 */
export async function prepareImages(stack: Stack, services: Service[], options: PrepareImagesOptions): Promise<PreparedImages> {
  const { runtime, signal } = options;
  const limit = limiter(Math.max(1, options.concurrency));
  const firstOfContext = new Map<string, Promise<unknown>>();
  const shared = new Map<string, Promise<{ imageId: string; detail: string }>>();
  const result: PreparedImages = { imageIds: new Map(), failures: new Map(), durations: new Map() };

  const scheduleBuild = async <T>(context: string, exists: boolean, task: () => Promise<T>): Promise<T> => {
    if (exists) return task();
    const first = firstOfContext.get(context);
    if (!first) {
      const run = limit(task);
      firstOfContext.set(context, run.catch(() => undefined));
      return run;
    }
    await first;
    return limit(task);
  };

  const prepare = async (service: Service): Promise<{ imageId: string; detail: string }> => {
    const ref = imageRef(stack, service);
    if (service.build && buildsService(options.build, service.name)) {
      const build = service.build;
      const exists = (await runtime.imageId(ref).catch(() => undefined)) !== undefined;
      return scheduleBuild(build.context, exists, async () => {
        options.onPhase(service.name, 'building');
        let contextHash: string;
        try {
          contextHash = await options.contextHash(build, service.name);
        } catch (error) {
          throw new ServiceFailure(`cannot read the build context of ${service.name}`, { service: service.name, phase: 'build', error }, { cause: error });
        }
        try {
          const built = await runtime.buildImage({
            stack: stack.name,
            service: service.name,
            tag: ref,
            build,
            contextHash,
            signal,
            onProgress: (line) => options.onProgress(service.name, line),
            ...(options.noCache ? { noCache: true } : {}),
            ...(options.pull ? { pull: true } : {}),
          });
          return { imageId: built.imageId, detail: built.built ? 'built' : 'up to date' };
        } catch (error) {
          throw new ServiceFailure(`image build of ${service.name} failed`, { service: service.name, phase: 'build', error }, { cause: error });
        }
      });
    }
    const existing = await runtime.imageId(ref);
    if (existing) return { imageId: existing, detail: 'present' };
    if (service.build) {
      const error = new UsageError(`image ${ref} is not built and --no-build was given`, {
        service: service.name,
        hint: 'run `stackctl up` without --no-build once to build it',
      });
      throw new ServiceFailure(error.message, { service: service.name, phase: 'build', error }, { cause: error });
    }
    return limit(async () => {
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

  await Promise.all(
    services.map(async (service) => {
      const started = options.clock();
      const ref = imageRef(stack, service);
      // Two services naming the same image and build share one build.
      const key = `${ref}\u0000${service.build && buildsService(options.build, service.name) ? JSON.stringify(service.build) : ''}`;
      let pending = shared.get(key);
      if (!pending) {
        pending = prepare(service);
        shared.set(key, pending);
      }
      try {
        const { imageId, detail } = await pending;
        const duration = options.clock() - started;
        result.imageIds.set(service.name, imageId);
        result.durations.set(service.name, duration);
        options.onDone(service.name, imageId, duration, detail);
      } catch (error) {
        result.durations.set(service.name, options.clock() - started);
        const failure =
          error instanceof ServiceFailure
            ? error.context.service === service.name
              ? error
              : new ServiceFailure(error.message, { ...error.context, service: service.name }, { cause: error.context.error })
            : new ServiceFailure(`cannot prepare the image of ${service.name}`, { service: service.name, phase: 'build', error }, { cause: error });
        result.failures.set(service.name, failure);
      }
    }),
  );
  return result;
}

function buildsService(build: boolean | ReadonlySet<string>, service: string): boolean {
  return typeof build === 'boolean' ? build : build.has(service);
}
