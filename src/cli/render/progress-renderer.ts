/** What every progress renderer (tty, plain, json) does with the engine's events; renderer.ts picks one. */
import type { EngineEvent } from '../../engine/events.js';
import type { Plan } from '../../plan/plan.js';

export interface ProgressRenderer {
  plan(plan: Plan): void;
  event(event: EngineEvent): void;
  /** Draws the last frame and stops any timer. */
  stop(): void;
}
