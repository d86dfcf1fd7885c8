/**
 * `up` before any service starts: the engine answers, the images are prepared (built, pulled or
 * looked up), what the engine holds is observed, running containers are probed once early, the
 * missing networks and volumes are created, the plan is made (pure) and new containers are created.
 */
import { stackNetworks, stackVolumes } from '../plan/container-spec.js';
import { containerName } from '../plan/names.js';
import { observe } from '../plan/observed.js';
import type { Plan } from '../plan/plan.js';
import { reconcile } from '../plan/reconcile.js';
import { inTurn } from '../probes/engine-turn.js';
import type { ContainerInfo } from '../runtime/runtime.js';
import { ContainerWatch } from './container-watch.js';
import { limiter, stageImages, type PreparedImages } from './images.js';
import { planImageIds, settleLateImage } from './late-images.js';
import { probeTarget } from './readiness.js';
import { anySignal, deadline } from './signals.js';
import type { UpRun } from './up-context.js';

/** One early probe attempt of a running container (see preProbes) gets at most this long. */
const PRE_PROBE_TIMEOUT_MS = 2000;

/** An early probe of a running container: whether it passed, for the container it probed. */
export interface PreProbe {
  containerId: string;
  passed: Promise<boolean>;
}

export interface PreparedUp {
  plan: Plan;
  images: PreparedImages;
  /** By service: the early probe of its running container. */
  preProbes: Map<string, PreProbe>;
  /** By service: the container created ahead of its turn (its id once created). */
  precreated: Map<string, Promise<string>>;
  /** The stack's container deaths and exits; the caller closes it. */
  watch: ContainerWatch;
}

export async function prepareUp(run: UpRun): Promise<PreparedUp> {
  const { stack, runtime, options, deps, clock, phase, emit, undo } = run;
  let watch: ContainerWatch | undefined;
  try {
    // ping, the image checks and the label lookup go out together; ping is awaited first so an
    // engine that does not answer is one clear error (EngineUnavailableError), not ten.
    const pinged = runtime.ping(run.signal);
    pinged.catch(() => undefined);
    // Early: fresh builds may still run (images.pending); their services wait for them in their turn.
    const imagesReady = stageImages(stack, stack.services, {
      deferFresh: true,
      runtime,
      build: options.build ?? true,
      contextHash: deps.contextHash,
      signal: run.signal,
      concurrency: Math.min(options.parallel ?? 4, 4),
      clock,
      onPhase: (service, p, detail) => phase(service, p, detail),
      onProgress: (service, line) => emit({ type: 'service.progress', service, at: clock(), line }),
      onDone: (service, _imageId, durationMs, detail) => {
        run.results.get(service)!.timings.buildMs = durationMs;
        if (detail === 'built' || detail === 'pulled') phase(service, 'waiting', `image ${detail} in ${durationMs} ms`);
      },
    }).early;
    imagesReady.catch(() => undefined);
    const observing = observe(runtime, stack.name);
    observing.catch(() => undefined);
    await pinged;
    watch = new ContainerWatch(runtime, stack.name);
    const observed = await observing;
    // Running containers are probed once right away, while the images are checked: when the plan
    // keeps a container (the usual case of a repeated up), its readiness is then already known.
    const preProbes = new Map<string, PreProbe>();
    for (const container of observed.containers) {
      const service = run.services.get(container.service);
      if (!service?.readiness || container.status !== 'running' || container.name.replace(/^\//, '') !== containerName(stack.name, service.name)) continue;
      const probe = deps.probeFactory(service.readiness.probe);
      // The attempt's time limit starts when its turn comes (engine-turn.ts).
      const attempt = (): Promise<void> => {
        const limit = deadline(PRE_PROBE_TIMEOUT_MS, () => new Error('pre-probe timed out'));
        const signal = anySignal([run.signal, limit.signal]);
        return probe.check(probeTarget(runtime, service.name, container), signal.signal).finally(() => {
          limit.clear();
          signal.clear();
        });
      };
      const passed = Promise.resolve()
        .then(() => inTurn(probe, attempt, run.signal))
        .then(
          () => true,
          () => false,
        );
      preProbes.set(service.name, { containerId: container.id, passed });
    }
    // The network and volumes do not depend on any image: create the missing ones while the images
    // are prepared (the plan below lists them as `create (not found)`, which is what happened).
    const missingNetworks = stackNetworks(stack).filter((name) => !observed.networks.includes(name));
    const missingVolumes = stackVolumes(stack).filter((name) => !observed.volumes.includes(name));
    const [images] = await Promise.all([
      imagesReady,
      ...missingNetworks.map(async (name) => {
        await runtime.ensureNetwork(stack.name, name, stack.labels);
        undo.createdNetworks.push(name);
      }),
      ...missingVolumes.map(async (name) => {
        await runtime.ensureVolume(stack.name, name, stack.labels);
        undo.createdVolumes.push(name);
      }),
    ]);
    if (options.seeder && !run.signal.aborted) await options.seeder.restore(images.imageIds, undo.createdVolumes, run.signal);
    // Interrupted while preparing: the plan is still made (it is pure) and the traversal
    // cancels every service at once, so the result says what state everything is in.
    const plan = reconcile(stack, observed, planImageIds(images), { dependents: options.dependents ?? 'recreate' });
    options.onPlan?.(plan);
    // Containers of new services are created at once (as compose does), so only `start` waits for
    // the dependencies; a service that ends blocked keeps a created, never-started container, which
    // the next up starts and down removes. Replaced containers are not touched before their turn.
    const precreated = new Map<string, Promise<string>>();
    const createLimit = limiter(4);
    if (!run.signal.aborted) {
      for (const entry of plan.services) {
        const create = entry.action === 'create' ? entry.operations.find((operation) => operation.kind === 'create') : undefined;
        if (!create || create.kind !== 'create') continue;
        const late = images.pending.get(entry.service);
        const made = late
          ? late.then((imageId) => {
              settleLateImage(stack, run.services.get(entry.service)!, entry, imageId);
              return createLimit(() => runtime.createContainer(create.spec));
            })
          : createLimit(() => runtime.createContainer(create.spec));
        made.then(
          (id) => undo.createdContainers.push({ id, name: create.spec.name, service: entry.service, status: 'created' } as ContainerInfo),
          () => undefined,
        );
        precreated.set(entry.service, made);
      }
    }
    for (const entry of plan.services) {
      const result = run.results.get(entry.service)!;
      result.action = entry.action;
      result.cause = entry.cause;
    }
    return { plan, images, preProbes, precreated, watch };
  } catch (error) {
    await watch?.close();
    throw error;
  }
}
