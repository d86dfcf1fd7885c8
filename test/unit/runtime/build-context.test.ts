import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extract } from 'tar-stream';
import type { BuildSpec } from '../../../src/config/model.js';
import {
  ContextFilter,
  packBuildContext,
  parseDockerignore,
  prepareBuildContext,
  type PreparedBuildContext,
} from '../../../src/runtime/build-context.js';
import { UnsupportedBuildFeatureError } from '../../../src/runtime/errors.js';

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stackctl-ctx-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function write(files: Record<string, string>, root = dir): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(root, name);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content);
  }
}

function spec(overrides: Partial<BuildSpec> = {}): BuildSpec {
  return {
    context: dir,
    dockerfile: path.join(dir, 'Dockerfile'),
    args: {},
    additionalContexts: {},
    location: { file: 'stack.yaml', line: 1, col: 1 },
    ...overrides,
  };
}

/** Paths of the files (not directories) the context sends. */
function files(prepared: PreparedBuildContext): string[] {
  return prepared.sources
    .flatMap((source) => source.entries.filter((e) => e.type !== 'directory').map((e) => (source.prefix ? `${source.prefix}/${e.path}` : e.path)))
    .sort();
}

async function tarNames(prepared: PreparedBuildContext): Promise<Map<string, { type: string; mode: number; uid: number; content: string }>> {
  const entries = new Map<string, { type: string; mode: number; uid: number; content: string }>();
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => {
        chunks.push(chunk as Buffer);
      });
      stream.on('end', () => {
        entries.set(header.name, {
          type: header.type ?? 'file',
          mode: header.mode ?? 0,
          uid: header.uid ?? -1,
          content: Buffer.concat(chunks).toString(),
        });
        next();
      });
      stream.resume();
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  packBuildContext(prepared).pipe(ex);
  await done;
  return entries;
}

describe('parseDockerignore', () => {
  it('drops comments and blank lines, trims, cleans paths and strips a leading slash', () => {
    expect(parseDockerignore('\uFEFF# comment\n\n  node_modules/  \n/build\n!  keep.txt\na/./b/../c\n #not a comment\n')).toEqual([
      'node_modules',
      'build',
      '!keep.txt',
      'a/c',
      '#not a comment',
    ]);
  });
});

describe('ContextFilter (Docker semantics)', () => {
  it('`*` matches one level only, `**` any depth', () => {
    const filter = new ContextFilter(['*.pyc', '**/*.log']);
    expect(filter.excludes('a.pyc')).toBe(true);
    expect(filter.excludes('sub/a.pyc')).toBe(false);
    expect(filter.excludes('a.log')).toBe(true);
    expect(filter.excludes('deep/er/a.log')).toBe(true);
  });

  it('a plain name matches at the root only, and excludes everything below it', () => {
    const filter = new ContextFilter(['tests']);
    expect(filter.excludes('tests')).toBe(true);
    expect(filter.excludes('tests/test_a.py')).toBe(true);
    expect(filter.excludes('app/tests')).toBe(false);
  });

  it('the last matching pattern wins (negation re-includes)', () => {
    const filter = new ContextFilter(['*.md', '!README.md', 'README*']);
    expect(filter.excludes('CHANGES.md')).toBe(true);
    expect(filter.excludes('README.md')).toBe(true);
    const reincluded = new ContextFilter(['*.md', '!README.md']);
    expect(reincluded.excludes('README.md')).toBe(false);
  });

  it('enters an excluded directory only when an exception names a path under it', () => {
    const filter = new ContextFilter(['docs', '!docs/keep.md', '**/*.tmp', '!**/important.tmp']);
    expect(filter.mustDescend('docs')).toBe(true);
    expect(filter.mustDescend('other')).toBe(false);
  });
});

describe('prepareBuildContext', () => {
  it('honours .dockerignore with negation and ** (what docker build sends)', async () => {
    await write({
      Dockerfile: 'FROM debian:bookworm-slim\n',
      '.dockerignore': '**/__pycache__\n**/*.pyc\n*.md\n!README.md\nsecret/\ndocs\n!docs/keep.md\n',
      'README.md': 'r',
      'NOTES.md': 'n',
      'app/main.py': 'print(1)',
      'app/__pycache__/main.cpython-311.pyc': 'x',
      'app/util.pyc': 'x',
      'app/README.md': 'nested md is not matched by *.md',
      'secret/key': 'k',
      'docs/keep.md': 'keep',
      'docs/drop.md': 'drop',
    });
    const prepared = await prepareBuildContext(spec(), 'svc');
    expect(files(prepared)).toEqual(['.dockerignore', 'Dockerfile', 'README.md', 'app/README.md', 'app/main.py', 'docs/keep.md']);
    expect(prepared.dockerfilePath).toBe('Dockerfile');
    expect(prepared.generated).toEqual([]);
  });

  it('services of one context prepared at once share one walk of it; a later prepare sees the files as they are then', async () => {
    await write({ 'a/Dockerfile': 'FROM x\n', 'b/Dockerfile': 'FROM y\n', '.dockerignore': '*.log\n', 'lib/common.py': 'c', 'x.log': 'l' });
    const [a, b] = await Promise.all([
      prepareBuildContext(spec({ dockerfile: path.join(dir, 'a/Dockerfile') }), 'a'),
      prepareBuildContext(spec({ dockerfile: path.join(dir, 'b/Dockerfile') }), 'b'),
    ]);
    expect(b.sources[0]!.entries).toBe(a.sources[0]!.entries);
    expect(files(a)).toEqual(['.dockerignore', 'a/Dockerfile', 'b/Dockerfile', 'lib/common.py']);
    expect([a.dockerfilePath, b.dockerfilePath]).toEqual(['a/Dockerfile', 'b/Dockerfile']);
    await write({ 'lib/new.py': 'n' });
    const later = await prepareBuildContext(spec({ dockerfile: path.join(dir, 'a/Dockerfile') }), 'a');
    expect(later.sources[0]!.entries).not.toBe(a.sources[0]!.entries);
    expect(files(later)).toContain('lib/new.py');
  });

  it('does not enter an excluded directory for an exception that does not start with its path (moby walk)', async () => {
    await write({ Dockerfile: 'FROM x\n', '.dockerignore': 'vendor\n!**/keep.txt\n', 'vendor/keep.txt': 'k', 'src/keep.txt': 'k' });
    const prepared = await prepareBuildContext(spec(), 'svc');
    expect(files(prepared)).toEqual(['.dockerignore', 'Dockerfile', 'src/keep.txt']);
  });

  it('always sends the Dockerfile and .dockerignore, even when excluded', async () => {
    await write({ 'build/Dockerfile': 'FROM x\n', '.dockerignore': '*\n!app\n', 'app/a.py': 'a', 'other.txt': 'o' });
    const prepared = await prepareBuildContext(spec({ dockerfile: path.join(dir, 'build/Dockerfile') }), 'svc');
    expect(files(prepared)).toEqual(['.dockerignore', 'app/a.py', 'build/Dockerfile']);
    expect(prepared.dockerfilePath).toBe('build/Dockerfile');
  });

  it('prefers <Dockerfile>.dockerignore over the context one', async () => {
    await write({ 'Dockerfile': 'FROM x\n', 'Dockerfile.dockerignore': 'b.txt\n', '.dockerignore': 'a.txt\n', 'a.txt': 'a', 'b.txt': 'b' });
    const prepared = await prepareBuildContext(spec(), 'svc');
    expect(files(prepared)).toEqual(['.dockerignore', 'Dockerfile', 'Dockerfile.dockerignore', 'a.txt']);
  });

  it('sends a Dockerfile from outside the context as a generated file at the tar root', async () => {
    const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'stackctl-df-'));
    try {
      await write({ 'Dockerfile.svc': 'FROM debian:bookworm-slim\nCOPY app /app\n' }, outside);
      await write({ 'app/a.py': 'a' });
      const prepared = await prepareBuildContext(spec({ dockerfile: path.join(outside, 'Dockerfile.svc') }), 'svc');
      expect(prepared.dockerfilePath).toMatch(/^\.stackctl-dockerfile-[0-9a-f]{16}$/);
      const tar = await tarNames(prepared);
      expect(tar.get(prepared.dockerfilePath)?.content).toBe('FROM debian:bookworm-slim\nCOPY app /app\n');
      expect(tar.get('app/a.py')?.content).toBe('a');
    } finally {
      await fs.rm(outside, { recursive: true, force: true });
    }
  });

  it('packs entries with owner 0, modes as on disk, symlinks as symlinks and nothing excluded', async () => {
    await write({ Dockerfile: 'FROM x\n', '.dockerignore': '*.secret\n', 'run.sh': '#!/bin/sh\n', 'x.secret': 's' });
    await fs.chmod(path.join(dir, 'run.sh'), 0o755);
    await fs.symlink('run.sh', path.join(dir, 'link.sh'));
    const tar = await tarNames(await prepareBuildContext(spec(), 'svc'));
    expect(tar.has('x.secret')).toBe(false);
    expect(tar.get('run.sh')?.mode).toBe(0o755);
    expect(tar.get('run.sh')?.uid).toBe(0);
    expect(tar.get('link.sh')?.type).toBe('symlink');
  });

  it('sends dockerfile_inline as a generated Dockerfile', async () => {
    await write({ 'app/a.py': 'a' });
    const prepared = await prepareBuildContext(spec({ dockerfile: undefined, dockerfileInline: 'FROM debian:bookworm-slim\nCOPY app /app\n' }), 'svc');
    expect(prepared.dockerfilePath).toMatch(/^\.stackctl-dockerfile-[0-9a-f]{16}$/);
    expect((await tarNames(prepared)).get(prepared.dockerfilePath)?.content).toBe('FROM debian:bookworm-slim\nCOPY app /app\n');
  });

  it('says which Dockerfile is missing', async () => {
    await expect(prepareBuildContext(spec(), 'api')).rejects.toThrow(/Dockerfile .*Dockerfile of service "api" does not exist/);
  });
});

describe('additional_contexts', () => {
  let common: string;
  beforeEach(async () => {
    common = await fs.mkdtemp(path.join(os.tmpdir(), 'stackctl-common-'));
    await write({ 'config.py': 'X = 1\n', '.dockerignore': '*.pyc\n', 'junk.pyc': 'j' }, common);
  });
  afterEach(async () => {
    await fs.rm(common, { recursive: true, force: true });
  });

  it('merges a local context under .stackctl-contexts/<name> and rewrites COPY --from', async () => {
    await write({
      Dockerfile: 'FROM debian:bookworm-slim\nCOPY --from=common --chown=1000 . /opt/common\nCOPY --from=common /config.py \\\n  /opt/config.py\nCOPY app /app\n',
      'app/main.py': 'm',
    });
    const prepared = await prepareBuildContext(spec({ additionalContexts: { common } }), 'mcp-server');
    expect(prepared.dockerfile).toBe(
      'FROM debian:bookworm-slim\nCOPY --chown=1000 [".stackctl-contexts/common", "/opt/common"]\nCOPY [".stackctl-contexts/common/config.py", "/opt/config.py"]\nCOPY app /app\n',
    );
    expect(prepared.dockerfilePath).toMatch(/^\.stackctl-dockerfile-/);
    expect(files(prepared)).toEqual([
      '.stackctl-contexts/common/.dockerignore',
      '.stackctl-contexts/common/config.py',
      'Dockerfile',
      'app/main.py',
    ]);
    const tar = await tarNames(prepared);
    expect(tar.get('.stackctl-contexts/common/config.py')?.content).toBe('X = 1\n');
    expect(tar.get(prepared.dockerfilePath)?.content).toBe(prepared.dockerfile);
  });

  it('maps docker-image:// contexts to the image', async () => {
    await write({ Dockerfile: 'FROM base\nCOPY --from=tools /usr/bin/jq /usr/bin/jq\n' });
    const prepared = await prepareBuildContext(
      spec({ additionalContexts: { base: 'docker-image://debian:bookworm-slim', tools: 'docker-image://stackctl/tools:1' } }),
      'svc',
    );
    expect(prepared.dockerfile).toBe('FROM debian:bookworm-slim\nCOPY --from=stackctl/tools:1 ["/usr/bin/jq", "/usr/bin/jq"]\n');
  });

  it('refuses, naming the service and suggesting a wider context, when COPY . would take in the merged contexts', async () => {
    await write({ Dockerfile: 'FROM debian:bookworm-slim\nCOPY --from=common . /opt/common\nCOPY . /app\n' });
    const error = await prepareBuildContext(spec({ additionalContexts: { common } }), 'mcp-server').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedBuildFeatureError);
    expect((error as UnsupportedBuildFeatureError).message).toContain('service "mcp-server": additional_contexts cannot be used');
    expect((error as UnsupportedBuildFeatureError).message).toContain('COPY . copies the whole build context');
    expect((error as UnsupportedBuildFeatureError).hint).toContain('widen build.context');
  });

  it('refuses service: contexts and FROM <local context>', async () => {
    await write({ Dockerfile: 'FROM common\n' });
    await expect(prepareBuildContext(spec({ additionalContexts: { common } }), 'a')).rejects.toThrow(/FROM common uses the directory context/);
    await write({ Dockerfile: 'FROM x\nCOPY --from=base /a /a\n' });
    await expect(prepareBuildContext(spec({ additionalContexts: { base: 'service:base' } }), 'a')).rejects.toThrow(
      /refers to the image of service "base"/,
    );
  });
});
