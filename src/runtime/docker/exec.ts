/** Into a running container: exec (captured or attached to the caller's terminal), top, and file copies. */
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { CancelledError, RuntimeError } from '../../errors.js';
import type { AttachedIo, ExecResult, SyncBatch } from '../runtime.js';
import { Demuxer } from '../demux.js';
import { packSyncBatch } from '../sync-archive.js';
import type { DockerContext } from './context.js';
import { owned } from './ownership.js';

export async function execAttached(ctx: DockerContext, id: string, command: string[], io: AttachedIo): Promise<number> {
  const raw = await owned(ctx, id, 'exec into');
  if (!raw) throw new RuntimeError(`cannot exec in container ${id}: it does not exist`);
  const container = ctx.docker.getContainer(id);
  let exec: Docker.Exec;
  let stream: NodeJS.ReadWriteStream;
  try {
    exec = await container.exec({
      Cmd: command,
      AttachStdin: io.stdin !== undefined,
      AttachStdout: true,
      AttachStderr: true,
      Tty: io.tty,
      ...(io.env ? { Env: Object.entries(io.env).map(([key, value]) => `${key}=${value}`) } : {}),
      ...(io.workdir ? { WorkingDir: io.workdir } : {}),
      ...(io.user ? { User: io.user } : {}),
    });
    stream = await exec.start({ hijack: true, stdin: io.stdin !== undefined, Tty: io.tty });
  } catch (error) {
    throw ctx.fail(`exec in container "${raw.Name.replace(/^\//, '')}" failed`, error);
  }
  if (io.stdin) io.stdin.pipe(stream);
  await new Promise<void>((resolve, reject) => {
    if (io.tty) stream.on('data', (chunk: Buffer) => io.stdout.write(chunk));
    else {
      const demuxer = new Demuxer();
      stream.on('data', (chunk: Buffer) => {
        for (const frame of demuxer.push(chunk)) (frame.stream === 'stderr' ? io.stderr : io.stdout).write(frame.data);
      });
    }
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  if (io.stdin) io.stdin.unpipe(stream);
  const inspected = await exec.inspect();
  return inspected.ExitCode ?? -1;
}

export async function top(ctx: DockerContext, id: string): Promise<{ titles: string[]; processes: string[][] }> {
  const raw = await owned(ctx, id, 'list the processes of');
  if (!raw) throw new RuntimeError(`cannot list the processes of container ${id}: it does not exist`);
  try {
    const result = (await ctx.docker.getContainer(id).top({ ps_args: '-o pid,user,etime,args' })) as { Titles?: string[]; Processes?: string[][] };
    return { titles: result.Titles ?? [], processes: result.Processes ?? [] };
  } catch (error) {
    throw ctx.fail(`listing the processes of "${raw.Name.replace(/^\//, '')}" failed`, error);
  }
}

export async function copyToContainer(ctx: DockerContext, id: string, batch: SyncBatch): Promise<void> {
  const raw = await owned(ctx, id, 'copy into');
  if (!raw) throw new RuntimeError(`cannot copy into container ${id}: it does not exist`);
  try {
    await ctx.docker.getContainer(id).putArchive(packSyncBatch(batch), { path: '/' });
  } catch (error) {
    throw ctx.fail(`copying ${batch.entries.length} file(s) into "${raw.Name.replace(/^\//, '')}" failed`, error);
  }
}

export async function exec(ctx: DockerContext, id: string, command: string[], signal?: AbortSignal): Promise<ExecResult> {
  const raw = await owned(ctx, id, 'exec into');
  if (!raw) throw new RuntimeError(`cannot exec in container ${id}: it does not exist`);
  // Ownership is checked before queueing, not while holding a place.
  return ctx.execGate(() => execIn(ctx, raw, command, signal), signal);
}

async function execIn(ctx: DockerContext, raw: Docker.ContainerInspectInfo, command: string[], signal?: AbortSignal): Promise<ExecResult> {
  if (signal?.aborted) throw new CancelledError('exec cancelled');
  const container = ctx.docker.getContainer(raw.Id);
  let stream: NodeJS.ReadWriteStream;
  let exec: Docker.Exec;
  try {
    exec = await container.exec({ Cmd: command, AttachStdout: true, AttachStderr: true, Tty: false });
    stream = await exec.start({ hijack: true, stdin: false });
  } catch (error) {
    throw ctx.fail(`exec in container "${raw.Name.replace(/^\//, '')}" failed`, error);
  }
  const demuxer = new Demuxer();
  const chunks: Buffer[] = [];
  let size = 0;
  const limit = 64 * 1024;
  const onAbort = (): void => {
    (stream as unknown as Readable).destroy();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (chunk: Buffer) => {
        for (const frame of demuxer.push(chunk)) {
          chunks.push(frame.data);
          size += frame.data.length;
          while (size > limit && chunks.length > 1) size -= chunks.shift()?.length ?? 0;
        }
      });
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', reject);
    });
  } catch (error) {
    if (signal?.aborted) throw new CancelledError('exec cancelled');
    throw ctx.fail(`exec in container "${raw.Name.replace(/^\//, '')}" failed`, error);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (signal?.aborted) throw new CancelledError('exec cancelled');
  // The stream may end a moment before the engine records the exit code.
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null && info.ExitCode !== undefined) {
      return { exitCode: info.ExitCode, output: Buffer.concat(chunks).toString('utf8') };
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new RuntimeError(`exec in container "${raw.Name.replace(/^\//, '')}" did not report an exit code`);
}

