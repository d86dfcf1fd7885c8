#!/usr/bin/env node
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
const entry = modified('bundle/main.js') >= modified('cli/main.js') ? '../dist/bundle/main.js' : '../dist/cli/main.js';
const { main } = await import(entry);

process.exitCode = await main(process.argv);
