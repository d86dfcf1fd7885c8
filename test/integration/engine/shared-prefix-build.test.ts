/**
 * Shared build prefixes on the real engine: a two-image stack whose Dockerfiles start with the same
 * steps. With sharing (the default) `up` builds those steps once, as a stage image tagged under the
 * stack's name, and both images carry the very same layer — the shared RUN wrote one random token
 * that both containers read back. With STACKCTL_BUILD_SHARING=none both builds run the step, each
 * its own token: the control that shows the test can fail.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { docker, dockerLines, stackctl, uniqueName } from './cli.js';

const dirs: string[] = [];
const projects: string[] = [];
const repos: string[] = [];

/** A two-service stack in a temporary directory; a fresh nonce makes its shared step cold. */
function writeStack(project: string, repo: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stackctl-prefix-'));
  dirs.push(dir);
  const nonce = uniqueName('n');
  mkdirSync(path.join(dir, 'common'));
  writeFileSync(path.join(dir, 'common', 'lib.txt'), 'shared library\n');
  for (const name of ['one', 'two']) {
    mkdirSync(path.join(dir, name));
    writeFileSync(
      path.join(dir, name, 'Dockerfile'),
      [
        'FROM debian:bookworm-slim',
        `RUN echo ${nonce} > /nonce && head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \\n' > /shared-token && sleep 2`,
        'COPY common /opt/common',
        `RUN echo ${name} > /who`,
        '',
      ].join('\n'),
    );
  }
  const service = (name: string): string =>
    [
      `  ${name}:`,
      `    image: ${repo}/${name}:test`,
      `    build: { context: ., dockerfile: ${name}/Dockerfile }`,
      `    command: ["sh", "-c", "trap 'exit 0' TERM; sleep infinity & wait"]`,
    ].join('\n');
  writeFileSync(path.join(dir, 'stack.yaml'), `name: ${project}\nservices:\n${service('one')}\n${service('two')}\n`);
  return path.join(dir, 'stack.yaml');
}

async function token(project: string, service: string): Promise<string> {
  return (await docker(['exec', `${project}-${service}`, 'cat', '/shared-token'])).trim();
}

async function upFresh(sharing: string): Promise<{ project: string; stdout: string }> {
  const project = uniqueName('it-prefix');
  const repo = `stackctl-itest-prefix-${project}`;
  projects.push(project);
  repos.push(`${repo}/*`, `${project}-build-prefix`);
  const file = writeStack(project, repo);
  const result = await stackctl(['up', '-f', file, '--json'], { STACKCTL_BUILD_SHARING: sharing }, { timeoutMs: 300_000 });
  expect(result.exitCode, `${result.stdout.slice(-3000)}\n${result.stderr}`).toBe(0);
  return { project, stdout: result.stdout };
}


afterAll(async () => {
  for (const [index, project] of projects.entries()) {
    const dir = dirs[index];
    if (dir) await stackctl(['down', '-v', '-f', path.join(dir, 'stack.yaml')], {});
  }
  for (const repo of repos) {
    const tags = await dockerLines(['images', '--format', '{{.Repository}}:{{.Tag}}', repo]).catch(() => []);
    if (tags.length > 0) await docker(['rmi', '-f', ...tags]).catch(() => undefined);
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('shared build prefix (real engine)', () => {
  it('builds the steps two Dockerfiles share once: both images hold the same layer', async () => {
    const { project, stdout } = await upFresh('prefix');
    expect(await token(project, 'one')).toMatch(/^[0-9a-f]{32}$/);
    expect(await token(project, 'two')).toBe(await token(project, 'one'));
    // The stage image, under the stack's name, and what each service was told while it waited.
    expect(await dockerLines(['images', '--format', '{{.Repository}}', `${project}-build-prefix`])).toEqual([`${project}-build-prefix`]);
    expect(stdout).toMatch(/"service":"two","phase":"building"[^\n]*steps shared with 1 other image/);
    // Each image's own build took the shared RUN and COPY from the cache and ran only its own RUN and stackctl's labels.
    for (const service of ['one', 'two']) {
      expect(stdout).toMatch(new RegExp(`"service":"${service}","at":\\d+,"line":"\\d+ of \\d+ steps ran, 2 from the layer cache"`));
    }
    // The shared RUN is one layer in both images' histories.
    const layers = async (service: string): Promise<string[]> =>
      dockerLines(['history', '--no-trunc', '--format', '{{.ID}} {{.CreatedBy}}', `stackctl-itest-prefix-${project}/${service}:test`]);
    const shared = (lines: string[]): string | undefined => lines.find((line) => line.includes('/shared-token'))?.split(' ')[0];
    expect(shared(await layers('one'))).toBeDefined();
    expect(shared(await layers('two'))).toBe(shared(await layers('one')));
  }, 300_000);

  it('control: without sharing, two fresh builds at once each run the step', async () => {
    const { project } = await upFresh('none');
    expect(await token(project, 'two')).not.toBe(await token(project, 'one'));
  }, 300_000);
});
