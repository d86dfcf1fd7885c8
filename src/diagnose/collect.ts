/**
 * `stackctl diagnose`'s work: read every container of the stack (state, health, logs, ports, env),
 * classify each failing one with the classifier `up` uses, validate the stack file when one is known
 * (compose's recorded config file, or the stack file at hand), join the two, and read the engine's
 * events for the timeline. Only reads: nothing is started, stopped or changed.
 */
import path from 'node:path';
import { loadStack } from '../load/load.js';
import type { Stack } from '../config/model.js';
import { UsageError, errorMessage } from '../errors.js';
import { TcpProbe } from '../probes/tcp.js';
import { COMPOSE_LABELS, type ContainerDetails, type ContainerInfo, type Runtime } from '../runtime/runtime.js';
import type { Redactor } from '../secrets.js';
import { displayLocation } from '../validate/render.js';
import { validateStack } from '../validate/validate.js';
import { diagnose, type DiagnoseInput } from './diagnose-service.js';
import type { RootCause } from './model.js';
import { redactEnvironment, secretValuesOf } from './environment.js';
import { findingRef, joinCauses, type FindingRef, type ServiceCause } from './join.js';
import { whoHoldsPort } from './port-holder.js';
import { DIAGNOSE_SCHEMA_VERSION, type DiagnoseReport, type PortReport, type ServiceReport } from './report.js';
import { isFailing, serviceNameOf, type StackTarget } from './stacks.js';
import { STATE_SERVICE, buildTimeline, fillFromState, foldRestartLoops, recordedState } from './timeline.js';

export interface CollectOptions {
  target: StackTarget;
  /** Only these services (default all). */
  services?: string[];
  since: Date;
  /** Log lines kept per service (default 20). */
  tailLines?: number;
  /** A stack file to validate (stackctl stacks; compose stacks use the file their labels name). */
  stackFile?: string;
  /** The file is only the one at hand, not named by the user: used only if it has every running service. */
  stackFileGuessed?: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Grows with every secret diagnose meets (env values of secret-looking names). */
  redactor: Redactor;
  now?: Date;
}

/** Restarts at which a restart policy that keeps restarting counts as a loop. */
const LOOP_RESTARTS = 3;

function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MiB` : `${bytes} bytes`;
}

async function loadFile(file: string, options: CollectOptions, dir: string | undefined, notes: string[]): Promise<{ stack?: Stack; findings: FindingRef[] }> {
  const loaded = await loadStack(file, { env: options.env, cwd: dir ?? path.dirname(file) }).catch((error: unknown) => {
    notes.push(`could not read ${file}: ${errorMessage(error)}`);
    return undefined;
  });
  if (!loaded) return { findings: [] };
  const locate = (d: { location: { file: string; line: number; col: number } }): string => displayLocation(d.location, options.cwd);
  const loadFindings = loaded.diagnostics.filter((d) => d.severity !== 'info');
  if (!loaded.stack) {
    notes.push(`${file} could not be loaded; its findings are listed below`);
    return { findings: loadFindings.map((d) => findingRef(d, locate)) };
  }
  for (const value of loaded.stack.secretValues) options.redactor.add(value);
  // The stack's own containers hold its ports now: trying them would only find the stack itself.
  const rules = await validateStack(loaded.stack, { checkHostPorts: false });
  const findings = [...loadFindings, ...rules].filter((d) => d.severity !== 'info').map((d) => findingRef(d, locate));
  return { stack: loaded.stack, findings };
}

async function portReports(runtime: Runtime, container: ContainerDetails): Promise<PortReport[]> {
  const published = container.ports.filter((port) => port.hostPort > 0);
  return Promise.all(
    published.map(async (port): Promise<PortReport> => {
      const report: PortReport = { mapping: `${port.hostIp || '0.0.0.0'}:${port.hostPort}->${port.target}/${port.protocol}`, hostPort: port.hostPort };
      if (container.status !== 'running' || port.protocol !== 'tcp') return report;
      // Loopback only: a port bound to all interfaces answers there too.
      const host = port.hostIp === '::' ? '::1' : port.hostIp === '' || port.hostIp === '0.0.0.0' ? '127.0.0.1' : port.hostIp;
      const probe = new TcpProbe({ kind: 'tcp', port: port.target }, { tcpSettleMs: 150 });
      try {
        await probe.check({ service: container.service, containerId: container.id, host, hostPort: () => port.hostPort, runtime }, AbortSignal.timeout(1500));
        report.answers = true;
      } catch {
        report.answers = false;
      }
      return report;
    }),
  );
}

function isLooping(container: ContainerDetails): boolean {
  return container.status === 'restarting' || (container.restartPolicy.name !== 'no' && container.restartCount >= LOOP_RESTARTS);
}

async function refine(cause: RootCause, container: ContainerDetails, runtime: Runtime, lastLine: string | undefined): Promise<RootCause> {
  const out = { ...cause };
  if (out.code === 'oom-killed' && container.memoryLimitBytes) {
    out.summary = `killed for lack of memory (OOM) at its limit of ${mib(container.memoryLimitBytes)}`;
    out.hint = `raise its memory limit (mem_limit / deploy.resources.limits.memory, now ${mib(container.memoryLimitBytes)}) above what it needs, or find what grows (its last log lines show where it was)`;
  }
  if (out.code === 'exited' && container.exitCode === 137 && container.memoryLimitBytes) {
    // The engine sets OOMKilled from an event that can lose the race with the exit under load
    // (seen in CI): under a memory limit, a SIGKILL may well be the kernel's OOM killer.
    out.hint = `it was killed (SIGKILL) and the engine reported no OOM kill; under its memory limit of ${mib(container.memoryLimitBytes)} that is still most often the kernel's OOM killer (the engine's report can lose the race with the exit) — otherwise docker kill or a stop timeout. Raise the limit, or watch \`docker stats\` while it runs`;
  }
  if (isLooping(container)) {
    if (out.code === 'exited' || out.code === 'unknown') {
      out.code = 'crash-loop';
      out.summary = `restart loop: ${container.restartCount} restarts, exit code ${container.exitCode ?? '?'} each time`;
      out.hint = `it dies right after each start and restart: ${container.restartPolicy.name} starts it again; its last log lines say why (docker logs ${container.name}); fix that, or set restart: on-failure with a retry limit so a broken service stops`;
      if (lastLine) out.evidence = lastLine.trim().slice(0, 300);
    } else {
      out.summary = `${out.summary} — in a restart loop (${container.restartCount} restarts)`;
    }
  }
  if (container.health?.status === 'unhealthy' && out.code === 'probe-timeout') {
    const last = container.health.log.at(-1)?.output;
    out.code = 'unhealthy';
    out.summary = `unhealthy: its healthcheck failed ${container.health.failingStreak} times in a row${last ? `: ${last.split('\n')[0]}` : ''}`;
    out.hint = 'the healthcheck\'s output says what it waits for; the container runs but does not pass it';
  }
  if (out.code === 'address-in-use') {
    const wanted = container.wantedPorts.find((port) => port.hostPort > 0 && (out.summary.includes(String(port.hostPort)) || out.evidence?.includes(String(port.hostPort)))) ?? container.wantedPorts.find((port) => port.hostPort > 0);
    if (wanted) {
      const holder = await whoHoldsPort(runtime, wanted.hostIp, wanted.hostPort, container.name);
      out.summary = `host port ${wanted.hostPort} is already in use${holder.holder ? ` by ${holder.holder}` : ''}, so the container could not start`;
      out.hint = holder.holder ? `stop ${holder.holder} or publish the service on another host port` : out.hint;
    }
  }
  return out;
}

/** The engine's healthcheck as a probe record: a command that failed, its output the service's words. */
function healthcheckRecord(attempts: number, output: string | undefined): NonNullable<DiagnoseInput['probe']> {
  if (output === undefined) return { attempts };
  return { attempts, lastError: output, lastFailure: { probe: 'exec', kind: 'command-failed', message: output, detail: output } };
}

async function serviceReport(runtime: Runtime, info: ContainerInfo, stack: Stack | undefined, options: CollectOptions): Promise<ServiceReport> {
  const service = serviceNameOf(info);
  const container = await runtime.inspectDetails(info.id);
  if (!container) return { service, state: 'gone', oomKilled: false, restartCount: 0, restartLoop: false, ports: [], environment: [], lastLogLines: [], failing: false };
  for (const value of secretValuesOf(container.env)) options.redactor.add(value);
  const tail = options.tailLines ?? 20;
  const [logs, ports] = await Promise.all([runtime.logs(container.id, tail * 5).catch(() => ''), portReports(runtime, container)]);
  const restartLoop = isLooping(container);
  const unhealthy = container.health?.status === 'unhealthy';
  const startFailed = container.status === 'created' && container.error !== undefined && container.error !== '';
  const failing = isFailing(container) || restartLoop || unhealthy || startFailed;
  const healthFailures = (container.health?.log ?? []).filter((entry) => entry.exitCode !== 0);
  const diagnosis = diagnose({
    service,
    container,
    logs,
    ...(unhealthy ? { probe: healthcheckRecord(container.health!.failingStreak, healthFailures.at(-1)?.output) } : {}),
    ...(startFailed ? { error: new Error(container.error) } : {}),
    ...(stack ? { stack } : {}),
    redactor: options.redactor,
    tailLines: tail,
  });
  const report: ServiceReport = {
    service,
    container: container.name,
    containerId: container.id.slice(0, 12),
    image: container.image,
    state: container.status,
    oomKilled: container.oomKilled,
    restartCount: container.restartCount,
    restartLoop,
    restartPolicy: container.restartPolicy.name,
    ports,
    environment: redactEnvironment(container.env),
    lastLogLines: diagnosis.lastLogLines,
    failing,
  };
  if (container.exitCode !== undefined) report.exitCode = container.exitCode;
  if (container.memoryLimitBytes) report.memoryLimitBytes = container.memoryLimitBytes;
  if (container.createdAt) report.createdAt = container.createdAt.toISOString();
  if (container.startedAt) report.startedAt = container.startedAt.toISOString();
  if (container.finishedAt) report.finishedAt = container.finishedAt.toISOString();
  if (container.health) {
    report.health = { status: container.health.status, failingStreak: container.health.failingStreak, lastOutputs: container.health.log.slice(-3).map((entry) => options.redactor.redact(entry.output)) };
  }
  if (failing && diagnosis.probe) report.probe = diagnosis.probe;
  if (failing) report.cause = await refine(diagnosis.rootCause, container, runtime, diagnosis.lastLogLines.at(-1));
  return report;
}

/** Build findings that say why an image cannot be built (then the service never got a container). */
const BUILD_BLOCKERS: Record<string, RootCause['code']> = { BUILD004: 'editable-outside-context', BUILD006: 'editable-outside-context', BUILD001: 'build-failed', BUILD002: 'build-failed', BUILD003: 'module-not-found', BUILD005: 'module-not-found' };

/** Image names compose gives a built service: v2 `<project>-<service>`, 1.x `<project>_<service>`. */
function builtImageCandidates(project: string, service: string, image: string | undefined): string[] {
  return image ? [image] : [`${project}-${service}`, `${project}_${service}`];
}

/**
 * Services of the file with no container: an image that is not there explains it — one that cannot
 * be built (the file's BUILD findings say why) or one that is not on the engine.
 */
async function missingReport(runtime: Runtime, stackService: Stack['services'][number], project: string, findings: readonly FindingRef[]): Promise<ServiceReport> {
  const report: ServiceReport = { service: stackService.name, state: 'missing', oomKilled: false, restartCount: 0, restartLoop: false, ports: [], environment: [], lastLogLines: [], failing: false };
  if (stackService.image) report.image = stackService.image;
  if (stackService.build) {
    const present = await Promise.all(builtImageCandidates(project, stackService.name, stackService.image).map((ref) => runtime.imageExists(ref).catch(() => true)));
    const blocker = findings.find((f) => f.service === stackService.name && f.severity === 'error' && f.code in BUILD_BLOCKERS);
    if (!present.some(Boolean) && blocker) {
      report.failing = true;
      report.cause = { code: BUILD_BLOCKERS[blocker.code]!, summary: `never built, so no container: ${blocker.message}`, hint: blocker.hint };
    }
    return report;
  }
  if (stackService.image && !stackService.build && !(await runtime.imageExists(stackService.image).catch(() => true))) {
    report.failing = true;
    report.cause = {
      code: 'image-not-found',
      summary: `image ${stackService.image} is not on this engine, so no container was created`,
      hint: `build or load it (docker load -i FILE, or give the service a build: section); no registry is reachable from here to pull it`,
    };
  }
  return report;
}

function ownContainers(target: StackTarget, containers: ContainerInfo[]): ContainerInfo[] {
  if (target.source === 'stackctl') return containers.filter((c) => c.configHash !== '');
  if (target.source === 'compose') return containers.filter((c) => c.labels[COMPOSE_LABELS.oneoff] !== 'True');
  return containers;
}

export async function collectDiagnosis(runtime: Runtime, options: CollectOptions): Promise<DiagnoseReport> {
  const { target } = options;
  const notes: string[] = [];
  const now = options.now ?? new Date();
  let containers = ownContainers(target, await runtime.findContainers(target.query));

  const file = options.stackFile ?? target.configFiles?.find((candidate) => candidate.length > 0);
  if (target.configFiles && target.configFiles.length > 1) notes.push(`compose used ${target.configFiles.length} files; only ${target.configFiles[0]} was validated`);
  let { stack, findings } = file ? await loadFile(file, options, target.workingDir, notes) : { stack: undefined, findings: [] as FindingRef[] };
  if (stack && options.stackFileGuessed && file === options.stackFile) {
    const inFile = new Set(stack.services.map((s) => s.name));
    const strangers = containers.map(serviceNameOf).filter((name) => !inFile.has(name));
    if (strangers.length > 0) {
      notes.push(`${file} is not this stack's file (it has no ${strangers.join(', ')}): not validated; give the right one with -f`);
      stack = undefined;
      findings = [];
    }
  }
  if (!stack && !file && target.source !== 'containers') notes.push('no stack file known for this stack: validate did not run (give one with -f)');

  if (options.services && options.services.length > 0) {
    const known = new Set([...containers.map(serviceNameOf), ...(stack?.services.map((s) => s.name) ?? [])]);
    const unknown = options.services.filter((name) => !known.has(name));
    if (unknown.length > 0) throw new UsageError(`no service ${unknown.join(', ')} in stack ${target.name}`, { hint: `its services: ${[...known].sort().join(', ')}` });
    containers = containers.filter((c) => options.services!.includes(serviceNameOf(c)));
  }

  const services = await Promise.all(containers.map((container) => serviceReport(runtime, container, stack, options)));
  const present = new Set(services.map((s) => s.service));
  for (const stackService of stack?.services ?? []) {
    if (present.has(stackService.name) || (options.services && options.services.length > 0 && !options.services.includes(stackService.name))) continue;
    services.push(await missingReport(runtime, stackService, target.name, findings));
  }
  const order = new Map((stack?.services ?? []).map((s, i) => [s.name, i]));
  services.sort((a, b) => (order.get(a.service) ?? 1e6) - (order.get(b.service) ?? 1e6) || a.service.localeCompare(b.service));

  const causes: ServiceCause[] = services.flatMap((s) => (s.cause ? [{ service: s.service, cause: s.cause }] : []));
  const { groups, unexplained } = joinCauses(causes, findings);

  let entries: DiagnoseReport['timeline']['entries'] = [];
  try {
    const events = await runtime.eventsSince({ since: options.since, until: now, ...target.query });
    const wanted = options.services && options.services.length > 0 ? new Set(options.services) : undefined;
    const named = events.map((event) => ({ event, service: serviceNameOf({ labels: event.labels, name: event.name }) }));
    const kept = named.filter(({ service }) => !wanted || wanted.has(service)).map(({ event }) => event);
    const recorded = recordedState(services, options.since);
    const { merged, filled } = fillFromState(kept, recorded, (event) => serviceNameOf({ labels: event.labels, name: event.name }));
    if (filled > 0) notes.push(`the engine keeps only its last 256 events: ${filled} timeline entr${filled === 1 ? 'y' : 'ies'} marked "(from container state)" come from the containers' recorded times`);
    entries = foldRestartLoops(buildTimeline(merged, (event) => event.labels[STATE_SERVICE] ?? serviceNameOf({ labels: event.labels, name: event.name })));
  } catch (error) {
    notes.push(`engine events unavailable: ${errorMessage(error)}`);
  }

  const report: DiagnoseReport = {
    schemaVersion: DIAGNOSE_SCHEMA_VERSION,
    generatedAt: now.toISOString(),
    stack: { name: target.name, source: target.source, ...(file && stack ? { file } : {}), ...(target.workingDir ? { workingDir: target.workingDir } : {}) },
    summary: { services: services.length, failing: services.filter((s) => s.failing).length, rootCauses: groups.length },
    rootCauses: groups,
    services,
    timeline: { since: options.since.toISOString(), entries },
    otherFindings: unexplained.filter(
      (f) => (f.severity === 'error' || f.severity === 'warning') && (!options.services?.length || f.service === undefined || options.services.includes(f.service)),
    ),
    notes,
  };
  return options.redactor.redactValue(report);
}

