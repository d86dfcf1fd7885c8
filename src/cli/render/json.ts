/** ndjson: the plan, then every EngineEvent as it happens, one JSON object per line. */
import type { EngineEvent } from '../../engine/events.js';
import { formatPlan, type Plan } from '../../plan/plan.js';
import type { Output } from './output.js';
import type { ProgressRenderer } from './progress-renderer.js';

export class JsonRenderer implements ProgressRenderer {
  constructor(private readonly out: Output) {}

  plan(plan: Plan): void {
    this.out.json({
      type: 'plan',
      stack: plan.stack,
      services: plan.services.map((entry) => ({ service: entry.service, action: entry.action, cause: entry.cause })),
      text: formatPlan(plan),
    });
  }

  event(event: EngineEvent): void {
    this.out.json(event);
  }

  stop(): void {}
}
