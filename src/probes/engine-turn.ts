/**
 * Probe attempts that exec in a container take turns: at most ENGINE_TURNS at once in this process,
 * and the attempt's time limit starts when its turn comes (the caller creates it inside `task`).
 *
 * An exec is a runc process in the engine; on a two-core machine the engine runs ~20 a second
 * whether 6 or 200 are asked at once. Asked all at once (a no-op `up` of 200 services re-probing
 * each), every answer takes seconds, past the attempt's limit: the attempt fails, is retried and asks
 * again (measured: 1,240 failed attempts and 112 s). Taking turns, each is answered in 0.1–0.4 s.
 * Probes over the network (tcp, http, postgres, redis) are cheap for the engine and do not wait.
 */
import { gate } from '../runtime/gate.js';
import type { Probe } from './probe.js';

const ENGINE_TURNS = 6;
const turn = gate(ENGINE_TURNS);

/** Runs `task` (one attempt of `probe`) now, or when its turn comes if it execs in the container. */
export function inTurn<T>(probe: Probe, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  return probe.execsInContainer === true ? turn(task, signal) : task();
}
