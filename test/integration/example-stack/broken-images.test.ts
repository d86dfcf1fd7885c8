/** The broken variants of test/fixtures/broken-images fail the way their README says, for real. */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, docker } from './harness.js';

const FIXTURES = resolve(ROOT, 'test/fixtures/broken-images');
const RUN = `stackctl-it-broken-${randomBytes(3).toString('hex')}`;

afterAll(async () => {
  const { stdout } = await docker(['ps', '-aq', '--filter', `label=com.stackctl.test=${RUN}`], { reject: false });
  const ids = stdout.split('\n').filter(Boolean);
  if (ids.length) await docker(['rm', '-f', '-v', ...ids], { reject: false });
}, 60_000);

describe('broken variants', () => {
  it('no-common: the image builds, then the service dies with ModuleNotFoundError: config', async () => {
    const tag = 'stackctl-example-broken/no-common:dev';
    await docker(['build', '-q', '-t', tag, resolve(FIXTURES, 'no-common')]);
    const name = `${RUN}-no-common`;
    await docker(['run', '--detach', '--name', name, '--label', `com.stackctl.test=${RUN}`, '-e', 'API_KEY=x', tag]);
    const { stdout: status } = await docker(['wait', name]);
    expect(status).toBe('1');
    const { stderr } = await docker(['logs', name]);
    expect(stderr).toContain("ModuleNotFoundError: No module named 'config'");
    expect(stderr).toContain('File "/app/app.py", line 2, in <module>');
  }, 120_000);

  it('no-common: the same code starts once pyairtable-common is on its PYTHONPATH (the packaging is the fault)', async () => {
    const name = `${RUN}-with-common`;
    await docker([
      'run', '--detach', '--name', name, '--label', `com.stackctl.test=${RUN}`, '-e', 'API_KEY=x',
      '-e', 'PYTHONPATH=/opt/pyairtable-common', '-v', `${resolve(ROOT, 'services/pyairtable-common')}:/opt/pyairtable-common:ro`,
      'stackctl-example-broken/no-common:dev',
    ]);
    let logs = '';
    for (let i = 0; i < 40 && !logs.includes('"msg":"listening"'); i++) {
      await new Promise((r) => setTimeout(r, 250));
      logs = (await docker(['logs', name])).stdout;
    }
    expect(logs).toContain('"msg":"listening"');
    const { stdout: running } = await docker(['inspect', '-f', '{{.State.Running}}', name]);
    expect(running).toBe('true');
  }, 60_000);

  it('editable-outside-context: docker build fails with pip\'s "not a valid editable requirement"', async () => {
    const pipStepContainers = async (): Promise<number> =>
      (await docker(['ps', '-a', '--no-trunc', '--format', '{{.Command}}'])).stdout.split('\n').filter((command) => command.includes('pip install -r requirements.txt')).length;
    const pipStepsBefore = await pipStepContainers();
    const build = await execa('docker', ['build', '--force-rm', '-t', `${RUN}-editable`, resolve(FIXTURES, 'editable-outside-context')], {
      reject: false,
      all: true,
    });
    expect(build.exitCode).not.toBe(0);
    expect(build.all).toContain('ERROR: ../pyairtable-common is not a valid editable requirement.');
    expect(build.all).toContain("'/bin/sh -c pip install -r requirements.txt' returned a non-zero code: 1");
    const { exitCode } = await docker(['image', 'inspect', `${RUN}-editable`], { reject: false });
    expect(exitCode).not.toBe(0); // no image was produced
    // --force-rm: the failed step's container is not left behind on the engine.
    expect(await pipStepContainers()).toBe(pipStepsBefore);
  }, 300_000);

  it('missing-redis-password: platform-services starts but /ready is 503 with redis NOAUTH, and says so in its log', async () => {
    const result = await execa('bash', [resolve(FIXTURES, 'missing-redis-password/reproduce.sh')], { reject: false, all: true });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toContain('/ready -> 503 {"status": "not_ready", "checks": {"postgres": "ok", "redis": "AuthenticationError: Authentication required."}}');
    expect(result.all).toMatch(/"level":"warning","service":"platform-services","msg":"not ready"/);
    // reproduce.sh removes what it started.
    const { stdout } = await docker(['ps', '-aq', '--filter', 'name=stackctl-broken-redis-']);
    expect(stdout).toBe('');
  }, 120_000);
});
