/** `stackctl test` refusing a broken suite: every problem at file:line:col, exit 1, nothing run. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackctl-test-cli-'));
  await writeFile(
    join(dir, 'stack.yaml'),
    'name: clitest\nsuite: suite.yaml\nservices:\n  web:\n    image: example/web:1\n    ports: ["127.0.0.1:18999:80"]\n    readiness: { tcp: { port: 80 } }\n',
  );
  await writeFile(
    join(dir, 'suite.yaml'),
    'version: 1\nname: s\ncategories:\n  - name: A\n    checks:\n      - { name: one, service: webb, http: { path: / } }\n      - { name: two, requires: nothing, service: web, http: { path: / } }\n',
  );
  await writeFile(join(dir, 'nosuite.yaml'), 'name: clitest\nthresholds: { success_rate: 90 }\nservices:\n  web:\n    image: example/web:1\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('stackctl test', () => {
  it('reports every problem of the suite file at its line and exits 1', async () => {
    const run = await runCli(['test', '--reports-dir', join(dir, 'reports')], { cwd: dir });
    expect(run.exitCode).toBe(1);
    const suite = join(dir, 'suite.yaml');
    expect(run.stderr).toBe(
      [
        `stackctl: ${suite}:6:31: unknown service "webb"`,
        '  hint: did you mean "web"?',
        `stackctl: ${suite}:7:32: requires "nothing", which is not an earlier check`,
        '  hint: a check can require only checks above it (by id: `<category slug>/<check slug>` or its `id:`)',
        'stackctl: suite.yaml: 2 problems (above); nothing was run',
        '  hint: fix them; docs/suite-report.md describes the suite format',
        '',
      ].join('\n'),
    );
    expect(run.stdout).toBe('');
  });

  it('says what to do when the stack names no suite', async () => {
    const run = await runCli(['test', '-f', 'nosuite.yaml'], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('the stack clitest names no integration suite');
    expect(run.stderr).toContain('hint: add `suite: path/to/suite.yaml` to the stack file, or pass --suite FILE');
  });
});
