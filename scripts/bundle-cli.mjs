#!/usr/bin/env node
/**
 * Bundles tsc's output (dist/cli/main.js and everything it imports) into dist/bundle/ with esbuild.
 * A cold `stackctl validate` spent most of its time loading ~200 small modules (stackctl's own
 * files, yaml's 60, zod, commander): one file per command loads ~60 ms faster (BENCHMARKS.md).
 *
 * Code splitting keeps each command's modules in their own chunk, loaded only when that command
 * runs. Only the pure-JavaScript packages of the start-up path are bundled; the rest (dockerode,
 * pg, redis, playwright-core, pino…) stay external: they load files relative to themselves or
 * optional native add-ons, and bundling would gain nothing for commands that wait on the engine.
 *
 * bin/stackctl.js uses the bundle only when it is newer than dist/cli/main.js, so a plain `tsc`
 * afterwards never leaves stale bundled code running.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLED_PACKAGES = new Set(['yaml', 'zod', 'commander', '@balena/dockerignore']);

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const externalUnlessListed = {
  name: 'external-unless-listed',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || !BUNDLED_PACKAGES.has(packageOf(args.path))) return { path: args.path, external: true };
      return undefined;
    });
  },
};

const outdir = path.join(ROOT, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [path.join(ROOT, 'dist', 'cli', 'main.js')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  plugins: [externalUnlessListed],
  // The bundled CommonJS packages (yaml) require Node built-ins.
  banner: { js: "import { createRequire as __stackctlRequire } from 'node:module'; const require = __stackctlRequire(import.meta.url);" },
});
