/** What the engine streams: container logs (demultiplexed into lines) and engine events. */
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { RuntimeError } from '../../errors.js';
import { LABELS, type EngineEventRecord, type EventQuery, type RuntimeEvent } from '../runtime.js';
import { Demuxer, LineSplitter, demuxBuffer, isMultiplexed } from '../demux.js';
import type { DockerContext } from './context.js';
import { isAbort } from './engine-errors.js';
import { inspectRaw } from './ownership.js';

/** Reads newline-delimited JSON objects from a stream until it ends. */
export async function* jsonLines(stream: NodeJS.ReadableStream): AsyncGenerator<Record<string, unknown>> {
  const splitter = new LineSplitter();
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    for (const line of splitter.push(chunk.toString())) {
      if (line.trim() === '') continue;
      try {
        yield JSON.parse(line) as Record<string, unknown>;
      } catch {
        yield { stream: `${line}\n` };
      }
    }
  }
  for (const line of splitter.flush()) {
    try {
      yield JSON.parse(line) as Record<string, unknown>;
    } catch {
      yield { stream: line };
    }
  }
}

async function isTty(ctx: DockerContext, id: string): Promise<boolean> {
  return (await inspectRaw(ctx, id))?.Config?.Tty ?? false;
}

export async function logs(ctx: DockerContext, id: string, tail: number): Promise<string> {
  let buffer: Buffer;
  try {
    buffer = await ctx.docker.getContainer(id).logs({ stdout: true, stderr: true, follow: false, tail: Math.max(0, Math.floor(tail)) });
  } catch (error) {
    throw ctx.fail(`reading the logs of container ${id} failed`, error);
  }
  if (!Buffer.isBuffer(buffer)) buffer = Buffer.from(String(buffer));
  if (!isMultiplexed(buffer) || (await isTty(ctx, id))) return buffer.toString('utf8');
  return demuxBuffer(buffer)
    .map((chunk) => chunk.data.toString('utf8'))
    .join('');
}

export async function followLogs(ctx: DockerContext, id: string, onLine: (line: string) => void, signal: AbortSignal, tail?: number): Promise<void> {
  if (signal.aborted) return;
  const tty = await isTty(ctx, id);
  let stream: NodeJS.ReadableStream;
  try {
    stream = await ctx.docker.getContainer(id).logs({
      stdout: true,
      stderr: true,
      follow: true,
      tail: tail === undefined ? 'all' : Math.max(0, Math.floor(tail)),
      abortSignal: signal,
    } as Docker.ContainerLogsOptions & { follow: true });
  } catch (error) {
    if (isAbort(error, signal)) return;
    throw ctx.fail(`following the logs of container ${id} failed`, error);
  }
  const demuxer = new Demuxer();
  const splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
  const onAbort = (): void => {
    (stream as Readable).destroy?.();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (tty) {
        for (const line of splitters.stdout.push(chunk.toString('utf8'))) onLine(line);
        continue;
      }
      for (const frame of demuxer.push(chunk)) {
        for (const line of splitters[frame.stream].push(frame.data.toString('utf8'))) onLine(line);
      }
    }
  } catch (error) {
    if (!isAbort(error, signal) && !signal.aborted) throw ctx.fail(`following the logs of container ${id} failed`, error);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  for (const line of [...splitters.stdout.flush(), ...splitters.stderr.flush()]) onLine(line);
}

export async function eventsSince(ctx: DockerContext, query: EventQuery): Promise<EngineEventRecord[]> {
  const until = query.until ?? new Date();
  const filters: Record<string, string[]> = { type: ['container'] };
  if (query.labels && query.labels.length > 0) filters.label = query.labels;
  if (query.names && query.names.length > 0) filters.container = query.names;
  let stream: NodeJS.ReadableStream;
  try {
    stream = await ctx.docker.getEvents({
      since: (query.since.getTime() / 1000).toFixed(3),
      until: (until.getTime() / 1000).toFixed(3),
      filters,
    } as unknown as Docker.GetEventsOptions);
  } catch (error) {
    throw ctx.fail('reading engine events failed', error);
  }
  const out: EngineEventRecord[] = [];
  try {
    for await (const raw of jsonLines(stream)) {
      const actor = (raw.Actor ?? {}) as { ID?: string; Attributes?: Record<string, string> };
      const attributes = actor.Attributes ?? {};
      const nanos = typeof raw.timeNano === 'number' ? raw.timeNano / 1e6 : Number(raw.time ?? 0) * 1000;
      const { name = '', image, exitCode, ...labels } = attributes;
      const record: EngineEventRecord = {
        at: new Date(nanos),
        action: String(raw.Action ?? raw.status ?? ''),
        containerId: actor.ID ?? String(raw.id ?? ''),
        name,
        labels,
      };
      if (image !== undefined) record.image = image;
      if (exitCode !== undefined && exitCode !== '') record.exitCode = Number(exitCode);
      out.push(record);
    }
  } catch (error) {
    throw ctx.fail('reading engine events failed', error);
  }
  return out.sort((a, b) => a.at.getTime() - b.at.getTime());
}

export async function events(ctx: DockerContext, stack: string, onEvent: (event: RuntimeEvent) => void, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  // `since` = now: events between this call and the subscription are replayed, not lost.
  const since = (Date.now() / 1000).toFixed(3);
  let stream: NodeJS.ReadableStream;
  try {
    stream = await ctx.docker.getEvents({
      since,
      filters: { type: ['container'], event: ['start', 'die', 'oom'], label: [`${LABELS.stack}=${stack}`] },
      abortSignal: signal,
    } as unknown as Docker.GetEventsOptions);
  } catch (error) {
    if (isAbort(error, signal)) return;
    throw ctx.fail('subscribing to engine events failed', error);
  }
  const onAbort = (): void => {
    (stream as Readable).destroy?.();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const raw of jsonLines(stream)) {
      const action = String(raw.Action ?? raw.status ?? '');
      const actor = (raw.Actor ?? {}) as { ID?: string; Attributes?: Record<string, string> };
      const attributes = actor.Attributes ?? {};
      if (attributes[LABELS.stack] !== stack) continue;
      const containerId = actor.ID ?? String(raw.id ?? '');
      const service = attributes[LABELS.service] ?? '';
      const nanos = typeof raw.timeNano === 'number' ? raw.timeNano / 1e6 : Number(raw.time ?? 0) * 1000;
      const at = new Date(nanos || Date.now());
      if (action === 'die') {
        onEvent({ type: 'die', stack, service, containerId, exitCode: Number(attributes.exitCode ?? -1), at });
      } else if (action === 'start') {
        onEvent({ type: 'start', stack, service, containerId, at });
      } else if (action === 'oom') {
        onEvent({ type: 'oom', stack, service, containerId, at });
      }
    }
  } catch (error) {
    if (isAbort(error, signal) || signal.aborted) return;
    throw ctx.fail('the engine event stream failed', error);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  if (!signal.aborted) throw new RuntimeError('the engine closed the event stream (did the engine restart?)');
}

