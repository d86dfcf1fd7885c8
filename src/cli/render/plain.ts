/** One line per service transition, with the time since the run began: for CI logs and pipes. */
import type { EngineEvent } from '../../engine/events.js';
import { planSummary, type Plan } from '../../plan/plan.js';
import type { Output } from './output.js';
import type { ProgressRenderer } from './progress-renderer.js';
import { formatMs, stateMark } from './text.js';

export class PlainRenderer implements ProgressRenderer {
  private readonly started = Date.now();
  private width = 12;

  constructor(
    private readonly out: Output,
    private readonly verb: 'up' | 'down',
  ) {}

  plan(plan: Plan): void {
    this.width = Math.max(this.width, ...plan.services.map((entry) => entry.service.length));
    this.out.line(planSummary(plan));
  }

  private stamp(at: number): string {
    return this.out.paint.dim(`[${formatMs(Math.max(0, at - this.started)).padStart(6)}]`);
  }

  event(event: EngineEvent): void {
    const p = this.out.paint;
    switch (event.type) {
      case 'service.phase': {
        // The initial "waiting" of every service is noise in a log; a waiting with news is not.
        if (event.phase === 'waiting' && event.detail === undefined) return;
        const detail = event.detail && event.detail !== event.phase ? ` ${p.dim(`(${event.detail})`)}` : '';
        this.out.line(`${this.stamp(event.at)} ${stateMark(event.phase, p)} ${event.service.padEnd(this.width)} ${event.phase}${detail}`);
        return;
      }
      case 'service.blocked':
      case 'service.failed':
      case 'service.probe':
      case 'service.progress':
        // failed/blocked are shown by their phase line; the diagnosis follows in the summary.
        return;
      case 'stack.done':
        if (this.verb === 'up') this.out.line(`${this.stamp(event.at)} done: ${event.ok ? p.green('ok') : p.red('not ok')}`);
    }
  }

  stop(): void {}
}
