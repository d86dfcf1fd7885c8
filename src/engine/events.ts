/**
 * Typed progress events. The engine emits them; renderers (src/cli/render/*) draw them for a TTY,
 * for plain CI logs, or as ndjson. The engine never writes to stdout itself.
 */
import type { Diagnosis } from '../diagnose/model.js';

export type ServicePhase =
  | 'waiting'
  | 'building'
  | 'pulling'
  | 'creating'
  | 'starting'
  | 'probing'
  | 'ready'
  | 'started'
  /** A job awaited with `condition: completed` exited 0 (added by the engine owner). */
  | 'completed'
  | 'unchanged'
  | 'failed'
  | 'blocked'
  | 'stopping'
  | 'stopped'
  | 'removed'
  | 'cancelled';

export type EngineEvent =
  | { type: 'service.phase'; service: string; phase: ServicePhase; at: number; detail?: string }
  | { type: 'service.progress'; service: string; at: number; line: string }
  | { type: 'service.probe'; service: string; at: number; attempt: number; ok: boolean; error?: string }
  | { type: 'service.failed'; service: string; at: number; diagnosis: Diagnosis }
  | { type: 'service.blocked'; service: string; at: number; blockedBy: string }
  /** Its container could not start on the engine's stale state (after an engine crash): recreated, volumes kept. */
  | { type: 'service.repaired'; service: string; at: number; containerName: string; engineError: string }
  | { type: 'stack.done'; at: number; ok: boolean; durationMs: number }
  /** Waiting before acting on the stack: another stackctl holds its lock (src/engine/stack-lock.ts). */
  | { type: 'stack.waiting'; at: number; reason: string };

export type EventListener = (event: EngineEvent) => void;
