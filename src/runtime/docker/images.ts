/** Images: inspect, pull (with registry failures told apart), build (skipped when the context is unchanged) and tag. */
import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import { CancelledError, EngineUnavailableError, RuntimeError } from '../../errors.js';
import { LABELS, type BuildRequest, type BuildResult } from '../runtime.js';
import { packBuildContext, prepareBuildContext } from '../build-context.js';
import { BuildStepCounter } from '../build-steps.js';
import { withLabelStep } from '../label-step.js';
import { hashPreparedContext } from '../context-hash.js';
import { baseImages } from '../dockerfile.js';
import { ImageBuildError, ImageNotFoundError } from '../errors.js';
import { inspectOrAbsent, type DockerContext } from './context.js';
import { engineMessage, isAbort } from './engine-errors.js';
import { jsonLines } from './streams.js';

/** Label on built images: digest of the base images' ids, so a rebuilt base invalidates a skip. */
export const BASE_IMAGES_LABEL = 'io.stackctl.base-images';
/** Which stack and service an image was built for (informational). */
export const IMAGE_LABELS = { stack: 'io.stackctl.image.stack', service: 'io.stackctl.image.service' } as const;

// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\u001b\[[0-9;]*[A-Za-z]/g;

const REGISTRY_UNREACHABLE =
  /no such host|connection refused|i\/o timeout|network is unreachable|TLS handshake timeout|Client\.Timeout|dial tcp|no route to host|server misbehaving|temporary failure in name resolution/i;
const NOT_IN_REGISTRY = /not found|manifest unknown|pull access denied|repository does not exist|no such image/i;

/** `repo[:tag]` → parts, a registry port (`host:5000/x`) not mistaken for a tag. */
function splitTag(ref: string): { repo: string; tag: string } {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repo: ref, tag: 'latest' };
}

function inspectImage(ctx: DockerContext, ref: string): Promise<Docker.ImageInspectInfo | undefined> {
  return inspectOrAbsent(ctx, `image ${ref}`, () => ctx.docker.getImage(ref).inspect());
}

export async function imageExists(ctx: DockerContext, ref: string): Promise<boolean> {
  return (await inspectImage(ctx, ref)) !== undefined;
}

export async function imageId(ctx: DockerContext, ref: string): Promise<string | undefined> {
  return (await inspectImage(ctx, ref))?.Id;
}

export async function pullImage(ctx: DockerContext, ref: string, onProgress?: (line: string) => void, signal?: AbortSignal): Promise<void> {
  const notFound = (detail: string, cause: unknown): RuntimeError => {
    if (REGISTRY_UNREACHABLE.test(detail)) {
      return new ImageNotFoundError(
        `image ${ref} not found locally and no registry reachable: build it (build:) or load it (docker load)`,
        ref,
        true,
        { hint: `give the service a build: section, or \`docker load -i <file>\` the image; the engine said: ${detail}`, cause },
      );
    }
    if (NOT_IN_REGISTRY.test(detail)) {
      return new ImageNotFoundError(`image ${ref} not found locally nor in its registry: build it (build:) or load it (docker load)`, ref, false, {
        hint: `check the image name and tag; the engine said: ${detail}`,
        cause,
      });
    }
    return new RuntimeError(`pulling image ${ref} failed: ${detail}`, { cause });
  };
  let stream: NodeJS.ReadableStream;
  try {
    stream = await ctx.docker.pull(ref, signal ? { abortSignal: signal } : {});
  } catch (error) {
    if (isAbort(error, signal)) throw new CancelledError(`pull of ${ref} cancelled`);
    const failure = ctx.fail(`pulling image ${ref} failed`, error);
    if (failure instanceof EngineUnavailableError) throw failure;
    throw notFound(engineMessage(error), error);
  }
  try {
    for await (const event of jsonLines(stream)) {
      if (typeof event.error === 'string') throw notFound(event.error, event);
      if (onProgress && typeof event.status === 'string') {
        const id = typeof event.id === 'string' ? `${event.id}: ` : '';
        const progress = typeof event.progress === 'string' ? ` ${event.progress}` : '';
        onProgress(`${id}${event.status}${progress}`);
      }
    }
  } catch (error) {
    if (isAbort(error, signal)) throw new CancelledError(`pull of ${ref} cancelled`);
    throw error instanceof RuntimeError ? error : ctx.fail(`pulling image ${ref} failed`, error);
  }
}

/** Digest of the ids of the images the Dockerfile builds FROM ('' ids for absent ones). */
async function baseImagesKey(ctx: DockerContext, dockerfile: string, args: Record<string, string>): Promise<string> {
  const refs = baseImages(dockerfile, args);
  const ids = await Promise.all(refs.map(async (ref) => `${ref}=${(await imageId(ctx, ref)) ?? ''}`));
  return createHash('sha256').update(ids.join('\n')).digest('hex');
}

export async function buildImage(ctx: DockerContext, request: BuildRequest): Promise<BuildResult> {
  const { build, service, tag, signal } = request;
  // The tag's labels are asked for while the context is listed: a no-op up waits for one round trip less.
  const tagged = inspectImage(ctx, tag);
  tagged.catch(() => undefined);
  const prepared = await prepareBuildContext(build, service);
  const contextHash = request.contextHash || (await hashPreparedContext(prepared, build));
  const baseKey = await baseImagesKey(ctx, prepared.dockerfile, build.args);

  // Skip: the tag already has this hash, or another image does (then it only needs the tag).
  const current = await tagged;
  const labels = current?.Config?.Labels ?? {};
  if (!request.noCache && current && labels[LABELS.contextHash] === contextHash && labels[BASE_IMAGES_LABEL] === baseKey) {
    return { imageId: current.Id, built: false };
  }
  const candidates = await ctx.docker
    .listImages({ filters: { label: [`${LABELS.contextHash}=${contextHash}`, `${BASE_IMAGES_LABEL}=${baseKey}`] } })
    .catch((error: unknown) => {
      throw ctx.fail('listing images failed', error);
    });
  const match = request.noCache ? undefined : candidates[0];
  if (match) {
    const { repo, tag: version } = splitTag(tag);
    try {
      await ctx.docker.getImage(match.Id).tag({ repo, tag: version });
      return { imageId: match.Id, built: false };
    } catch {
      // Fall through to a real build.
    }
  }

  const output: string[] = [];
  const steps = new BuildStepCounter();
  let step: string | undefined;
  let builtId: string | undefined;
  let failure: string | undefined;
  const keep = (line: string): void => {
    // The classic builder colours a RUN's stderr with ANSI escapes; blank lines separate steps.
    const clean = ctx.redact(line.replace(ANSI_ESCAPE, '').replace(/\r$/, ''));
    if (clean.trim() === '') return;
    output.push(clean);
    if (output.length > 500) output.splice(0, output.length - 500);
    if (/^Step \d+\/\d+ : /.test(clean)) step = clean;
    steps.line(clean);
    request.onProgress?.(clean);
  };
  const buildFailed = (detail: string, cause?: unknown): ImageBuildError => {
    const where = step ? ` at ${step}` : '';
    return new ImageBuildError(
      `image build for service "${service}" failed${where}: ${ctx.redact(detail)}`,
      step,
      output.slice(-(ctx.options.buildOutputTail ?? 30)),
      {
        service,
        hint: 'the last lines of the build output show why; fix the Dockerfile or what the build context contains',
        ...(cause === undefined ? {} : { cause }),
      },
    );
  };

  const imageLabels = {
    [LABELS.contextHash]: contextHash,
    [BASE_IMAGES_LABEL]: baseKey,
    // Not LABELS.stack/service: Docker copies image labels onto every container run from the
    // image, and a container someone runs by hand must not look like the stack's.
    [IMAGE_LABELS.stack]: request.stack,
    [IMAGE_LABELS.service]: service,
  };
  // One LABEL step instead of one per label where that is safe (label-step.ts).
  const labelled = withLabelStep(prepared, imageLabels, build.target);
  const sent = labelled ?? prepared;
  let stream: NodeJS.ReadableStream;
  try {
    stream = await ctx.docker.buildImage(packBuildContext(sent) as unknown as NodeJS.ReadableStream, {
      t: tag,
      dockerfile: sent.dockerfilePath,
      buildargs: build.args,
      ...(build.target ? { target: build.target } : {}),
      ...(labelled ? {} : { labels: imageLabels }),
      rm: true,
      forcerm: true,
      ...(request.noCache ? { nocache: true } : {}),
      ...(request.pull ? { pull: true } : {}),
      ...(signal ? { abortSignal: signal } : {}),
    });
  } catch (error) {
    if (isAbort(error, signal)) throw new CancelledError(`build of ${service} cancelled`);
    const failed = ctx.fail(`image build for service "${service}" failed`, error);
    if (failed instanceof EngineUnavailableError) throw failed;
    throw buildFailed(engineMessage(error), error);
  }
  try {
    for await (const event of jsonLines(stream)) {
      if (typeof event.stream === 'string') {
        for (const line of event.stream.replace(/\n$/, '').split('\n')) keep(line);
      }
      if (typeof event.status === 'string') keep(`${typeof event.id === 'string' ? `${event.id}: ` : ''}${event.status}`);
      const aux = event.aux as { ID?: string } | undefined;
      if (aux?.ID) builtId = aux.ID;
      if (typeof event.error === 'string') {
        failure = event.error.trim();
        keep(failure);
      }
    }
  } catch (error) {
    if (isAbort(error, signal)) throw new CancelledError(`build of ${service} cancelled`);
    throw buildFailed(engineMessage(error), error);
  }
  if (failure !== undefined) throw buildFailed(failure);
  const built = builtId ?? (await imageId(ctx, tag));
  if (!built) throw buildFailed('the engine reported no image id');
  return { imageId: built, built: true, steps: steps.result() };
}

