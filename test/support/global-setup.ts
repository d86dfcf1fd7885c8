/**
 * Runs once before the integration tests (vitest.config.ts, project `integration`):
 *  - builds the CLI (tsc + bundle) when a file under src/ is newer than the bundle, so the children
 *    the tests spawn (bin/stackctl.js) run the current code — `make test` has just built it, so
 *    this is usually a stat of src/ and nothing more;
 *  - makes sure the base image exists and builds the ten example images (stackctl-example/*:dev)
 *    once for every file; the engine's layer cache makes that seconds when nothing changed.
 * Test files never build anything themselves.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function mtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

export async function buildCliIfStale(): Promise<void> {
  const built = Math.min(mtime(path.join(ROOT, 'dist/bundle/main.js')), mtime(path.join(ROOT, 'dist/cli/main.js')));
  if (built >= newestMtime(path.join(ROOT, 'src'))) return;
  // tsc reports its errors on stdout: keep both streams for the message.
  const build = await execa('npm', ['run', 'build', '--silent'], { cwd: ROOT, reject: false, all: true });
  if (build.exitCode !== 0) throw new Error(`npm run build failed (exit ${String(build.exitCode)}), so the CLI under test would be stale:\n${String(build.all)}`);
}

export async function buildExampleImages(): Promise<void> {
  await execa('bash', [path.join(ROOT, 'scripts/ensure-base-image.sh')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  await execa('bash', [path.join(ROOT, 'scripts/build-example-images.sh')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

export default async function setup(): Promise<void> {
  // Both integration projects name this setup; vitest runs it in its own process for each: once is enough.
  if (process.env.STACKCTL_TEST_SETUP_DONE === '1') return;
  await buildCliIfStale();
  await buildExampleImages();
  process.env.STACKCTL_TEST_SETUP_DONE = '1';
}
