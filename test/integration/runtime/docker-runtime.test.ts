/**
 * The Docker driver against the real engine: builds (.dockerignore as docker build applies it,
 * skip on an unchanged context, the failing step of a broken build, a Dockerfile outside the context
 * with a merged additional context), networks/volumes/containers with labels, ports on loopback,
 * logs/exec/events, and — above all — that nothing without the stack's label is ever touched.
 */
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildSpec, PortMapping } from '../../../src/config/model.js';
import { EngineUnavailableError } from '../../../src/errors.js';
import { DockerRuntime, IMAGE_LABELS } from '../../../src/runtime/docker-runtime.js';
import { computeContextHash } from '../../../src/runtime/context-hash.js';
import { ImageBuildError, ImageNotFoundError, NotOwnedError, PortInUseError } from '../../../src/runtime/errors.js';
import { LABELS, type ContainerSpec, type RuntimeEvent } from '../../../src/runtime/runtime.js';
import { testContainerSpec } from '../../support/test-containers.js';

const STACK = 'itest-runtime';
const IMAGE_PREFIX = 'stackctl-itest-runtime';
const BASE = 'debian:bookworm-slim';
const NETWORK = `${STACK}_default`;
const loc = { file: 'stack.yaml', line: 1, col: 1 };

const runtime = new DockerRuntime({ stack: STACK });
let work: string;

async function docker(...args: string[]): Promise<string> {
  return (await execa('docker', args)).stdout;
}

async function dockerQuiet(...args: string[]): Promise<void> {
  await execa('docker', args, { reject: false });
}

async function cleanup(): Promise<void> {
  const ids = (await execa('docker', ['ps', '-aq', '--filter', `label=${LABELS.stack}=${STACK}`])).stdout.split('\n').filter(Boolean);
  if (ids.length > 0) await dockerQuiet('rm', '-fv', ...ids);
  await dockerQuiet('rm', '-fv', `${STACK}-foreign`, `${STACK}-squatter`);
  await dockerQuiet('network', 'rm', NETWORK, `${STACK}_foreign`);
  await dockerQuiet('volume', 'rm', `${STACK}_data`, `${STACK}_foreign`, `${STACK}_nocopy`, `${STACK}_copy`);
  const images = (await execa('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', IMAGE_PREFIX + '/*'])).stdout.split('\n').filter(Boolean);
  const cliImages = (await execa('docker', ['images', '-q', '--filter', `label=itest=${STACK}`])).stdout.split('\n').filter(Boolean);
  if (images.length + cliImages.length > 0) await dockerQuiet('rmi', '-f', ...images, ...cliImages);
}

async function write(root: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(root, name);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content);
  }
}

function buildSpec(context: string, overrides: Partial<BuildSpec> = {}): BuildSpec {
  return { context, dockerfile: path.join(context, 'Dockerfile'), args: {}, additionalContexts: {}, location: loc, ...overrides };
}

function containerSpec(service: string, overrides: Partial<ContainerSpec> = {}): ContainerSpec {
  return testContainerSpec(STACK, service, { image: BASE, labels: { [LABELS.configHash]: 'hash-1' }, ...overrides });
}

/** Files of an image's /ctx, as `find` prints them. */
async function filesIn(image: string): Promise<string[]> {
  const out = await docker('run', '--rm', '--entrypoint', 'sh', image, '-c', 'cd /ctx && find . -mindepth 1 | sort');
  return out.split('\n').filter(Boolean);
}

beforeAll(async () => {
  await runtime.ping();
  await cleanup();
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'stackctl-itest-runtime-'));
});

afterAll(async () => {
  await cleanup();
  if (work) await fs.rm(work, { recursive: true, force: true });
});

describe('engine and images', () => {
  it('ping fails with a hint to start the engine when the socket does not answer', async () => {
    const nowhere = new DockerRuntime({ docker: { socketPath: path.join(os.tmpdir(), 'no-such-docker.sock') } });
    const error = await nowhere.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineUnavailableError);
    expect((error as EngineUnavailableError).message).toContain('does not answer at unix://');
    expect((error as EngineUnavailableError).hint).toContain('make engine');
    expect((error as EngineUnavailableError).hint).toContain('scripts/ensure-docker.sh');
  });

  it('an absent image that cannot be pulled gives a clear error', async () => {
    const ref = `${IMAGE_PREFIX}/never-built:none`;
    expect(await runtime.imageExists(ref)).toBe(false);
    expect(await runtime.imageId(ref)).toBeUndefined();
    const error = await runtime.pullImage(ref).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageNotFoundError);
    // No registry is reachable on this machine; with one, the image would simply not exist there.
    expect((error as ImageNotFoundError).message).toMatch(
      new RegExp(`^image ${ref} not found locally (and no registry reachable|nor in its registry): build it \\(build:\\) or load it \\(docker load\\)$`),
    );
  });
});

describe('builds', () => {
  const dockerignore = [
    '# comments and blank lines are ignored',
    '',
    '**/__pycache__',
    '**/*.pyc',
    '*.md',
    '!README.md',
    'secrets/',
    'docs',
    '!docs/keep.txt',
    'vendor',
    '!**/vendor-keep.txt',
    'Dockerfile',
  ].join('\n');
  const files = {
    Dockerfile: 'FROM debian:bookworm-slim\nLABEL itest=itest-runtime\nCOPY . /ctx\n',
    '.dockerignore': dockerignore,
    'README.md': 'readme',
    'NOTES.md': 'excluded',
    'app/main.py': 'print("hi")\n',
    'app/NOTES.md': 'nested: kept (*.md is root-only)',
    'app/__pycache__/main.cpython-311.pyc': 'bytecode',
    'app/util.pyc': 'bytecode',
    'secrets/key.pem': 'secret',
    'docs/keep.txt': 'kept by exception',
    'docs/drop.txt': 'dropped',
    'vendor/vendor-keep.txt': 'not re-included: the exception does not start with vendor/',
    'lib/vendor-keep.txt': 'kept',
  };

  it('sends exactly what `docker build` sends (.dockerignore with negation, **, directory exceptions)', async () => {
    const context = path.join(work, 'ignore-ctx');
    await write(context, files);
    const build = buildSpec(context);
    const tag = `${IMAGE_PREFIX}/ignore:1`;
    const lines: string[] = [];
    const result = await runtime.buildImage({
      stack: STACK,
      service: 'ignore',
      tag,
      build,
      contextHash: await computeContextHash(build, 'ignore'),
      onProgress: (line) => lines.push(line),
    });
    expect(result.built).toBe(true);
    expect(result.imageId).toMatch(/^sha256:/);
    expect(lines.some((line) => /^Step 3\/\d+ : COPY \. \/ctx$/.test(line))).toBe(true);

    // The reference: the docker CLI's own context for the same directory (legacy builder, client-side tar).
    await execa('docker', ['build', '-q', '-t', `${IMAGE_PREFIX}/ignore-cli:1`, context], { env: { DOCKER_BUILDKIT: '0' } });
    const ours = await filesIn(tag);
    expect(ours).toEqual(await filesIn(`${IMAGE_PREFIX}/ignore-cli:1`));
    expect(ours).toEqual([
      // The Dockerfile is sent (it has to be read) but, excluded by .dockerignore, the daemon drops it.
      './.dockerignore',
      './README.md',
      './app',
      './app/NOTES.md',
      './app/main.py',
      './docs',
      './docs/keep.txt',
      './lib',
      './lib/vendor-keep.txt',
    ]);
  });

  it('skips the build when the context hash is unchanged, rebuilds when a file changes', async () => {
    const context = path.join(work, 'ignore-ctx');
    const build = buildSpec(context);
    const tag = `${IMAGE_PREFIX}/ignore:1`;
    const first = await runtime.imageId(tag);
    const later = new Date(Date.now() + 120_000);
    await fs.utimes(path.join(context, 'app/main.py'), later, later);
    await fs.writeFile(path.join(context, 'app/ignored.pyc'), 'more bytecode');
    const started = Date.now();
    const skipped = await runtime.buildImage({ stack: STACK, service: 'ignore', tag, build, contextHash: await computeContextHash(build, 'ignore') });
    expect(skipped).toEqual({ imageId: first, built: false });
    expect(Date.now() - started).toBeLessThan(2000);

    // Same context under another tag: no build either, just the tag.
    const retagged = await runtime.buildImage({ stack: STACK, service: 'ignore', tag: `${IMAGE_PREFIX}/ignore:copy`, build, contextHash: await computeContextHash(build, 'ignore') });
    expect(retagged).toEqual({ imageId: first, built: false });

    await fs.writeFile(path.join(context, 'app/main.py'), 'print("changed")\n');
    const rebuilt = await runtime.buildImage({ stack: STACK, service: 'ignore', tag, build, contextHash: await computeContextHash(build, 'ignore') });
    expect(rebuilt.built).toBe(true);
    expect(rebuilt.imageId).not.toBe(first);
  });

  it('a failing build reports the failing step and the last output lines', async () => {
    const context = path.join(work, 'broken-ctx');
    await write(context, {
      Dockerfile: 'FROM debian:bookworm-slim\nLABEL itest=itest-runtime\nRUN echo "compiling the thing" && echo "fatal: no such module" >&2 && exit 3\nRUN echo never\n',
    });
    const build = buildSpec(context);
    const error = await runtime
      .buildImage({ stack: STACK, service: 'broken', tag: `${IMAGE_PREFIX}/broken:1`, build, contextHash: await computeContextHash(build, 'broken') })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageBuildError);
    const failure = error as ImageBuildError;
    // stackctl's labels are one more step (label-step.ts: one LABEL line, not one step per label).
    expect(failure.step).toBe('Step 3/5 : RUN echo "compiling the thing" && echo "fatal: no such module" >&2 && exit 3');
    expect(failure.message).toBe(
      `image build for service "broken" failed at Step 3/5 : RUN echo "compiling the thing" && echo "fatal: no such module" >&2 && exit 3: The command '/bin/sh -c echo "compiling the thing" && echo "fatal: no such module" >&2 && exit 3' returned a non-zero code: 3`,
    );
    expect(failure.outputTail).toContain('compiling the thing');
    expect(failure.outputTail).toContain('fatal: no such module');
    expect(failure.service).toBe('broken');
  });

  it('builds with a Dockerfile outside the context, build args, and a merged additional context', async () => {
    const context = path.join(work, 'svc');
    const common = path.join(work, 'common');
    const dockerfiles = path.join(work, 'dockerfiles');
    await write(context, { 'app/main.py': 'main' });
    await write(common, { 'config.py': 'CONFIG = 1\n', 'junk.pyc': 'x', '.dockerignore': '*.pyc\n' });
    await write(dockerfiles, {
      'svc.Dockerfile':
        'FROM debian:bookworm-slim\nLABEL itest=itest-runtime\nARG FLAVOUR=plain\nCOPY --from=common . /ctx/common\nCOPY app /ctx/app\nRUN echo "$FLAVOUR" > /ctx/flavour\n',
    });
    const build = buildSpec(context, {
      dockerfile: path.join(dockerfiles, 'svc.Dockerfile'),
      args: { FLAVOUR: 'spicy' },
      additionalContexts: { common },
    });
    const tag = `${IMAGE_PREFIX}/merged:1`;
    const result = await runtime.buildImage({ stack: STACK, service: 'svc', tag, build, contextHash: await computeContextHash(build, 'svc') });
    expect(result.built).toBe(true);
    expect(await filesIn(tag)).toEqual(['./app', './app/main.py', './common', './common/.dockerignore', './common/config.py', './flavour']);
    expect(await docker('run', '--rm', tag, 'cat', '/ctx/flavour')).toBe('spicy');
  });

  it('builds the stage named by target', async () => {
    const context = path.join(work, 'stages');
    await write(context, { Dockerfile: 'FROM debian:bookworm-slim AS base\nLABEL itest=itest-runtime stage=base\nFROM base AS final\nLABEL stage=final\n' });
    const build = buildSpec(context, { target: 'base' });
    const tag = `${IMAGE_PREFIX}/stages:1`;
    await runtime.buildImage({ stack: STACK, service: 'stages', tag, build, contextHash: await computeContextHash(build, 'stages') });
    expect(await docker('image', 'inspect', tag, '--format', '{{index .Config.Labels "stage"}}')).toBe('base');
    expect(await docker('image', 'inspect', tag, '--format', `{{index .Config.Labels "${LABELS.contextHash}"}}`)).toBe(await computeContextHash(build, 'stages'));
    // What it was built for, under names a hand-run container does not inherit as the stack's.
    expect(await docker('image', 'inspect', tag, '--format', `{{index .Config.Labels "${IMAGE_LABELS.stack}"}}/{{index .Config.Labels "${IMAGE_LABELS.service}"}}`)).toBe(`${STACK}/stages`);
    expect(await docker('image', 'inspect', tag, '--format', `{{json .Config.Labels}}`)).not.toContain(`"${LABELS.stack}"`);
  });
});

describe('networks and volumes', () => {
  it('creates them with the stack label, lists and removes only those', async () => {
    await runtime.ensureNetwork(STACK, NETWORK);
    await runtime.ensureNetwork(STACK, NETWORK); // idempotent
    await runtime.ensureVolume(STACK, `${STACK}_data`);
    expect(await runtime.listNetworks(STACK)).toEqual([NETWORK]);
    expect(await runtime.listVolumes(STACK)).toEqual([`${STACK}_data`]);
    expect(await docker('network', 'inspect', NETWORK, '--format', `{{index .Labels "${LABELS.stack}"}}`)).toBe(STACK);
    await runtime.removeVolume(STACK, `${STACK}_data`);
    expect(await runtime.listVolumes(STACK)).toEqual([]);
    await runtime.removeVolume(STACK, `${STACK}_data`); // absent: nothing to do
  });

  it('refuses to use or remove a network or volume without the stack label', async () => {
    await docker('network', 'create', `${STACK}_foreign`);
    await docker('volume', 'create', `${STACK}_foreign`);
    await expect(runtime.ensureNetwork(STACK, `${STACK}_foreign`)).rejects.toBeInstanceOf(NotOwnedError);
    await expect(runtime.removeNetwork(STACK, `${STACK}_foreign`)).rejects.toThrow(
      `refusing to use network "${STACK}_foreign" for stack "${STACK}": it has no ${LABELS.stack} label; stackctl only touches what it created`,
    );
    await expect(runtime.ensureVolume(STACK, `${STACK}_foreign`)).rejects.toBeInstanceOf(NotOwnedError);
    await expect(runtime.removeVolume(STACK, `${STACK}_foreign`)).rejects.toBeInstanceOf(NotOwnedError);
    await expect(runtime.removeVolume('another-stack', `${STACK}_data`)).resolves.toBeUndefined();
    expect(await docker('network', 'inspect', `${STACK}_foreign`, '--format', '{{.Name}}')).toBe(`${STACK}_foreign`);
    expect(await docker('volume', 'inspect', `${STACK}_foreign`, '--format', '{{.Name}}')).toBe(`${STACK}_foreign`);
  });
});

describe('containers', () => {
  let id: string;
  const events: RuntimeEvent[] = [];
  const eventsAbort = new AbortController();
  let eventsDone: Promise<void>;

  beforeAll(async () => {
    await runtime.ensureNetwork(STACK, NETWORK);
    eventsDone = runtime.events(STACK, (event) => events.push(event), eventsAbort.signal);
  });
  afterAll(async () => {
    eventsAbort.abort();
    await eventsDone;
  });

  it('creates a labelled container with loopback ports (published, ephemeral, probe) and starts it', async () => {
    await expect(
      runtime.createContainer(
        containerSpec('web', { volumes: [{ type: 'volume', source: `${STACK}_data`, target: '/data', readOnly: false, location: loc }] }),
      ),
    ).rejects.toThrow(`volume "${STACK}_data" of service "web" does not exist`);
    await runtime.ensureVolume(STACK, `${STACK}_data`);
    const ports: PortMapping[] = [{ target: 8080, protocol: 'tcp', location: loc }];
    id = await runtime.createContainer(
      containerSpec('web', {
        command: ['sh', '-c', 'echo "to stdout"; echo "to stderr" >&2; echo "$GREETING"; exec sleep infinity'],
        env: { GREETING: 'hello from env' },
        ports,
        probePorts: [9000, 8080],
        volumes: [{ type: 'volume', source: `${STACK}_data`, target: '/data', readOnly: false, location: loc }],
        restart: { name: 'on-failure', maxRetries: 2 },
      }),
    );
    await runtime.startContainer(id);
    const info = await runtime.inspectContainer(id);
    expect(info).toMatchObject({ name: `${STACK}-web`, stack: STACK, service: 'web', configHash: 'hash-1', status: 'running', oomKilled: false });
    expect(info?.startedAt).toBeInstanceOf(Date);
    const ports8080 = info?.ports.filter((port) => port.target === 8080) ?? [];
    const ports9000 = info?.ports.filter((port) => port.target === 9000) ?? [];
    expect(ports8080).toHaveLength(1); // the probe port already published: no second binding
    expect(ports8080[0]).toMatchObject({ hostIp: '127.0.0.1', protocol: 'tcp' });
    expect(ports8080[0]?.hostPort).toBeGreaterThan(0);
    expect(ports9000[0]).toMatchObject({ hostIp: '127.0.0.1' });
    expect(await docker('inspect', id, '--format', '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}')).toBe('on-failure:2');
    const listed = await runtime.listContainers(STACK);
    expect(listed.map((container) => container.service)).toEqual(['web']);
  });

  it('reads logs demultiplexed (stdout and stderr, no frame headers) and follows them', async () => {
    let text = '';
    for (let i = 0; i < 50 && !text.includes('hello from env'); i += 1) {
      text = await runtime.logs(id, 100);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // stdout and stderr are copied by separate goroutines: their relative order is not guaranteed.
    expect(text.split('\n').filter(Boolean).sort()).toEqual(['hello from env', 'to stderr', 'to stdout']);
    expect(text).not.toMatch(/[\u0000-\u0008]/);
    const followed: string[] = [];
    const abort = new AbortController();
    const following = runtime.followLogs(id, (line) => {
      followed.push(line);
      if (followed.length === 3) abort.abort();
    }, abort.signal);
    await following;
    expect(followed.sort()).toEqual(['hello from env', 'to stderr', 'to stdout']);
  });

  it("applies a mount's mode flags: a bind's reach the engine, nocopy leaves a named volume empty", async () => {
    const hostDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stackctl-modes-'));
    await runtime.ensureVolume(STACK, `${STACK}_nocopy`);
    await runtime.ensureVolume(STACK, `${STACK}_copy`);
    const flagged = await runtime.createContainer(
      containerSpec('flags', {
        command: ['sh', '-c', 'ls -A /etc/apt | wc -l > /done; ls -A /var/lib/dpkg | wc -l >> /done; exec sleep infinity'],
        volumes: [
          { type: 'bind', source: hostDir, target: '/host', readOnly: true, options: ['z', 'cached'], location: loc },
          { type: 'volume', source: `${STACK}_nocopy`, target: '/etc/apt', readOnly: false, options: ['nocopy'], location: loc },
          { type: 'volume', source: `${STACK}_copy`, target: '/var/lib/dpkg', readOnly: false, location: loc },
        ],
      }),
    );
    try {
      expect(await docker('inspect', flagged, '--format', '{{json .HostConfig.Binds}}')).toBe(JSON.stringify([`${hostDir}:/host:ro,z,cached`]));
      await runtime.startContainer(flagged);
      let counts = '';
      for (let i = 0; i < 50 && counts.split('\n').length < 2; i++) {
        counts = (await runtime.exec(flagged, ['sh', '-c', 'cat /done 2>/dev/null'])).output.trim();
        if (counts.split('\n').length < 2) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const [apt, doc] = counts.split('\n').map(Number);
      expect(apt).toBe(0); // nocopy: the image's /etc/apt was not copied into the new volume
      expect(doc).toBeGreaterThan(0); // without it, a new volume takes the image's content, as docker does
    } finally {
      await dockerQuiet('rm', '-fv', flagged);
      await fs.rm(hostDir, { recursive: true, force: true });
    }
  });

  it('execs with the exit code and the combined output', async () => {
    const result = await runtime.exec(id, ['sh', '-c', 'echo inside; echo oops >&2; exit 4']);
    expect(result.exitCode).toBe(4);
    // stdout and stderr are separate pipes: their relative order is not guaranteed.
    expect(result.output.split('\n').filter(Boolean).sort()).toEqual(['inside', 'oops']);
    expect((await runtime.exec(id, ['true'])).exitCode).toBe(0);
  });

  it('receives the die event of a stack container', async () => {
    const quick = await runtime.createContainer(containerSpec('quick', { command: ['sh', '-c', 'sleep 0.2; exit 3'] }));
    await runtime.startContainer(quick);
    for (let i = 0; i < 100 && !events.some((event) => event.type === 'die' && event.containerId === quick); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(events).toContainEqual(expect.objectContaining({ type: 'start', service: 'quick', containerId: quick }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'die', stack: STACK, service: 'quick', containerId: quick, exitCode: 3 }));
    const info = await runtime.inspectContainer(quick);
    expect(info).toMatchObject({ status: 'exited', exitCode: 3 });
    await runtime.removeContainer(quick);
  });

  it('never touches a container without the stack label, even one named like a stack container', async () => {
    const foreign = await docker('run', '-d', '--name', `${STACK}-foreign`, BASE, 'sleep', 'infinity');
    const error = await runtime.createContainer(containerSpec('foreign')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotOwnedError);
    expect((error as NotOwnedError).message).toBe(
      `refusing to use container "${STACK}-foreign" for stack "${STACK}": it has no ${LABELS.stack} label; stackctl only touches what it created`,
    );
    await expect(runtime.stopContainer(foreign, 0)).rejects.toThrow(`refusing to stop container "${STACK}-foreign": it has no ${LABELS.stack} label`);
    await expect(runtime.removeContainer(foreign)).rejects.toBeInstanceOf(NotOwnedError);
    await expect(runtime.startContainer(foreign)).rejects.toBeInstanceOf(NotOwnedError);
    await expect(runtime.exec(foreign, ['true'])).rejects.toBeInstanceOf(NotOwnedError);
    expect(await docker('inspect', foreign, '--format', '{{.State.Status}}')).toBe('running');
    expect((await runtime.listContainers(STACK)).map((container) => container.name)).not.toContain(`${STACK}-foreign`);

    // A runtime bound to another stack refuses this stack's containers too.
    const other = new DockerRuntime({ stack: 'another-stack' });
    await expect(other.stopContainer(id, 0)).rejects.toThrow(`refusing to stop container "${STACK}-web": it belongs to stack "${STACK}"`);
    expect((await runtime.inspectContainer(id))?.status).toBe('running');
  });

  it('a taken host port fails the start with PortInUseError naming the port', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const squatter = await runtime.createContainer(
        containerSpec('squatter', { command: ['sleep', 'infinity'], ports: [{ target: 80, published: port, protocol: 'tcp', location: loc }] }),
      );
      const error = await runtime.startContainer(squatter).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PortInUseError);
      expect((error as PortInUseError).hostPort).toBe(port);
      expect((error as PortInUseError).message).toContain(`host port ${port} is already in use`);
      expect((error as PortInUseError).message).toMatch(/address already in use|port is already allocated/);
      await runtime.removeContainer(squatter);
    } finally {
      server.close();
    }
  });

  it('stops and removes its own container, then the network', async () => {
    await runtime.stopContainer(id, 0);
    expect((await runtime.inspectContainer(id))?.status).toBe('exited');
    await runtime.stopContainer(id, 0); // already stopped: fine
    await runtime.removeContainer(id);
    expect(await runtime.inspectContainer(id)).toBeUndefined();
    await runtime.removeContainer(id); // gone: fine
    await runtime.removeNetwork(STACK, NETWORK);
    expect(await runtime.listNetworks(STACK)).toEqual([]);
  });
});
