/**
 * Files stackctl ships beside its code (healthchecks/, bin/, the suite's child entry) are found from
 * the package root, not relative to the running module: the CLI runs either from dist/ as tsc wrote
 * it or from the bundle in dist/bundle/ (scripts/bundle-cli.mjs), at different depths.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The directory of stackctl's package.json. */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'stackctl') return (root = dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`stackctl's package.json not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export function packagePath(...segments: string[]): string {
  return path.join(packageRoot(), ...segments);
}
