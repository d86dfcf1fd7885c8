/**
 * Progress renderers subscribe to EngineEvents: `tty` (a live per-service view redrawn in place),
 * `plain` (one line per transition, for CI logs and pipes), `json` (ndjson, one event per line).
 * All write through an Output, so every string is redacted.
 */
import type { Stack } from '../../config/model.js';
import type { Output } from './output.js';
import { JsonRenderer } from './json.js';
import type { ProgressRenderer } from './progress-renderer.js';
import { PlainRenderer } from './plain.js';
import { TtyRenderer } from './tty.js';

export type ProgressMode = 'auto' | 'tty' | 'plain' | 'json';

export function createRenderer(mode: ProgressMode, out: Output, stack: Stack, verb: 'up' | 'down' = 'up'): ProgressRenderer {
  const resolved = mode === 'auto' ? (out.isTTY ? 'tty' : 'plain') : mode;
  switch (resolved) {
    case 'json':
      return new JsonRenderer(out);
    case 'tty':
      return new TtyRenderer(out, stack, verb);
    default:
      return new PlainRenderer(out, verb);
  }
}
