/**
 * One `stackctl watch` session: file batches in, the least work that makes each change live out.
 *   sync          copy the changed files into the running container (deleted ones removed)
 *   sync+restart  the same, then restart the container and prove it ready again
 *   rebuild       build the images whose context changed and replace only those containers
 * After a restart or a replacement, every running dependent is re-probed (up with
 * `dependents: 'reprobe'`); one that does not recover is restarted, in dependency order.
 * A failed build keeps the old container: the plan skips a service without an image.
 * Batches are applied one at a time; changes that arrive meanwhile form the next batch.
 */
import type { Stack } from '../config/model.js';
import type { SourceLocation } from '../errors.js';
import { errorMessage } from '../errors.js';
import type { EngineEvent } from '../engine/events.js';
import { isSuccessfulState, type UpResult } from '../engine/results.js';
import type { UpOptions } from '../engine/up.js';
import { containerName } from '../plan/names.js';
import type { Runtime } from '../runtime/runtime.js';
import { buildFailureLocation } from './build-location.js';
import { planChanges, type ChangedPath, type Matchers, type ServiceChange } from './change-plan.js';
import { watchRules, type ServiceRules } from './rules.js';

export type WatchEvent =
  | { type: 'watch.change'; service: string; action: ServiceChange['action']; files: string[] }
  | { type: 'watch.synced'; service: string; files: number; removed: number; durationMs: number }
  | { type: 'watch.skipped'; service: string; reason: string }
  | { type: 'watch.build-failed'; service: string; location?: SourceLocation; summary: string; evidence?: string }
  | { type: 'watch.restart-dependents'; services: string[] }
  /** kept: services whose new image did not build, and their dependents: still running as before. */
  | { type: 'watch.applied'; ok: boolean; durationMs: number; ready: string[]; failed: string[]; kept: string[] };

export type RunUp = (options: Omit<UpOptions, 'runtime'>) => Promise<UpResult>;

export interface WatchSessionOptions {
  stack: Stack;
  runtime: Runtime;
  up: RunUp;
  /** Read for each batch, so an edited .dockerignore counts from the next change on. */
  matchers: () => Promise<Matchers>;
  signal: AbortSignal;
  onWatchEvent: (event: WatchEvent) => void;
  onEngineEvent?: (event: EngineEvent) => void;
  clock?: () => number;
}

export class WatchSession {
  readonly services: ServiceRules[];
  private queue: ChangedPath[] = [];
  private running: Promise<void> | undefined;
  private readonly clock: () => number;

  constructor(private readonly options: WatchSessionOptions) {
    this.services = watchRules(options.stack);
    this.clock = options.clock ?? Date.now;
  }

  /** Every path a watcher must cover. */
  roots(): string[] {
    return this.services.flatMap((entry) => entry.rules.map((rule) => rule.path));
  }

  /** Queues a batch; resolves when it (and anything queued before it) has been applied. */
  push(changed: ChangedPath[]): Promise<void> {
    this.queue.push(...changed);
    this.running ??= this.drain().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Resolves once nothing is queued or being applied. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.options.signal.aborted) {
      const batch = dedupe(this.queue.splice(0));
      const changes = planChanges(this.services, batch, await this.options.matchers());
      if (changes.length > 0) await this.apply(changes);
    }
  }

  private async apply(changes: ServiceChange[]): Promise<void> {
    const { runtime, stack, onWatchEvent } = this.options;
    const began = this.clock();
    for (const change of changes) onWatchEvent({ type: 'watch.change', service: change.service, action: change.action, files: change.files });

    const containers = await runtime.listContainers(stack.name);
    const running = (service: string) =>
      containers.find((c) => c.service === service && c.status === 'running' && c.name.replace(/^\//, '') === containerName(stack.name, service));
    let needsUp = false;
    for (const change of changes) {
      if (change.action === 'rebuild') {
        needsUp = true;
        continue;
      }
      const container = running(change.service);
      if (!container) {
        onWatchEvent({ type: 'watch.skipped', service: change.service, reason: 'not running: nothing to sync into (it starts with the files on disk at the next up)' });
        continue;
      }
      const synced = this.clock();
      try {
        for (const batch of change.syncs) await runtime.copyToContainer(container.id, batch);
        if (change.deletions.length > 0) await runtime.exec(container.id, ['rm', '-rf', '--', ...change.deletions]);
      } catch (error) {
        onWatchEvent({ type: 'watch.skipped', service: change.service, reason: `sync failed: ${errorMessage(error)}` });
        continue;
      }
      onWatchEvent({
        type: 'watch.synced',
        service: change.service,
        files: change.syncs.reduce((n, batch) => n + batch.entries.length, 0),
        removed: change.deletions.length,
        durationMs: this.clock() - synced,
      });
      if (change.action === 'sync+restart') {
        await runtime.stopContainer(container.id, 10);
        needsUp = true;
      }
    }
    if (!needsUp || this.options.signal.aborted) return;

    const changed = new Set(changes.map((change) => change.service));
    // Only the services whose rule says rebuild are built: a synced file is in its build context
    // too, but the point of sync is not to pay for a build.
    let result = await this.up(new Set(changes.filter((change) => change.action === 'rebuild').map((change) => change.service)));
    this.reportBuildFailures(result);
    // Dependents that were re-probed and did not recover: restart them once, in dependency order.
    const stuck = result.services.filter((s) => !changed.has(s.service) && s.state === 'failed' && s.action === 'keep' && s.containerId);
    if (stuck.length > 0 && !this.options.signal.aborted) {
      onWatchEvent({ type: 'watch.restart-dependents', services: stuck.map((s) => s.service) });
      for (const service of stuck) await runtime.stopContainer(service.containerId!, 10);
      result = await this.up(false);
    }
    // A failed build leaves the old containers as they were: they are kept, not failed.
    const buildFailed = new Set(result.services.filter((s) => s.diagnosis?.rootCause.code === 'build-failed').map((s) => s.service));
    const kept = result.services.filter((s) => buildFailed.has(s.service) || (s.state === 'blocked' && s.blockedBy !== undefined && buildFailed.has(s.blockedBy)));
    onWatchEvent({
      type: 'watch.applied',
      ok: result.ok,
      durationMs: this.clock() - began,
      ready: result.services.filter((s) => isSuccessfulState(s.state)).map((s) => s.service),
      failed: result.services.filter((s) => (s.state === 'failed' || s.state === 'blocked') && !kept.includes(s)).map((s) => s.service),
      kept: kept.map((s) => s.service),
    });
  }

  private up(build: ReadonlySet<string> | false): Promise<UpResult> {
    return this.options.up({
      signal: this.options.signal,
      build,
      dependents: 'reprobe',
      ...(this.options.onEngineEvent ? { onEvent: this.options.onEngineEvent } : {}),
    });
  }

  private reportBuildFailures(result: UpResult): void {
    for (const service of result.services) {
      const cause = service.diagnosis?.rootCause;
      if (cause?.code !== 'build-failed') continue;
      const build = this.options.stack.services.find((s) => s.name === service.service)?.build;
      const location = buildFailureLocation(build, [cause.evidence ?? '', cause.summary]);
      this.options.onWatchEvent({
        type: 'watch.build-failed',
        service: service.service,
        ...(location ? { location } : {}),
        summary: cause.summary,
        ...(cause.evidence ? { evidence: cause.evidence } : {}),
      });
    }
  }
}

function dedupe(changed: ChangedPath[]): ChangedPath[] {
  const last = new Map<string, ChangedPath>();
  for (const entry of changed) last.set(entry.path, entry);
  return [...last.values()];
}
