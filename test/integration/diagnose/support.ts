/** Shared by the diagnose integration tests: the local images they run, and waiting for containers to settle. */
import path from 'node:path';
import { execa } from 'execa';
import { DockerRuntime } from '../../../src/runtime/docker-runtime.js';
import type { ContainerDetails } from '../../../src/runtime/runtime.js';

const ROOT = path.resolve('.');

/** The example's images (scripts/build-example-images.sh) and the broken no-common image. */
export async function ensureDiagnoseImages(): Promise<void> {
  const runtime = new DockerRuntime();
  await execa('bash', [path.join(ROOT, 'scripts/ensure-base-image.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (!(await runtime.imageExists('stackctl-example/platform-services:dev')) || !(await runtime.imageExists('stackctl-example/redis:dev'))) {
    await execa('bash', [path.join(ROOT, 'scripts/build-example-images.sh')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  if (!(await runtime.imageExists('stackctl-example-broken/no-common:dev'))) {
    await execa('docker', ['build', '-q', '-t', 'stackctl-example-broken/no-common:dev', path.join(ROOT, 'test/fixtures/broken-images/no-common')]);
  }
}

/** Polls the containers with `label` until `settled` says so (or the time is up: the test then fails on its asserts). */
export async function waitForContainers(label: string, settled: (containers: ContainerDetails[]) => boolean, timeoutMs = 240_000): Promise<ContainerDetails[]> {
  const runtime = new DockerRuntime();
  const deadline = Date.now() + timeoutMs;
  let containers: ContainerDetails[] = [];
  while (Date.now() < deadline) {
    const found = await runtime.findContainers(label.includes('=') || label.includes('.') ? { labels: [label] } : { names: [label] });
    containers = (await Promise.all(found.map((c) => runtime.inspectDetails(c.id)))).filter((c): c is ContainerDetails => c !== undefined);
    if (settled(containers)) return containers;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return containers;
}
