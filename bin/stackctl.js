#!/usr/bin/env -S node --
import { statSync } from 'node:fs';

// The bundle (scripts/bundle-cli.mjs) starts faster; it is used only when it is newer than tsc's
// output, so a bare `tsc` afterwards never leaves stale bundled code running.
const dist = new URL('../dist/', import.meta.url);
const modified = (file) => {
  try {
    return statSync(new URL(file, dist)).mtimeMs;
  } catch {
    return -1;
  }
};
const bundled = modified('bundle/main.js');
const compiled = modified('cli/main.js');
if (bundled < 0 && compiled < 0) {
  // A checkout that was never built: say what to run instead of Node's ERR_MODULE_NOT_FOUND trace.
  process.stderr.write(
    'stackctl: this checkout has not been built yet (no dist/).\n' +
      '  Run `npm ci && npm run build` (or `make build`) in ' + new URL('..', import.meta.url).pathname + ' first.\n',
  );
  process.exit(2);
}
const entry = bundled >= compiled ? '../dist/bundle/main.js' : '../dist/cli/main.js';
const { main } = await import(entry);

process.exitCode = await main(process.argv);
