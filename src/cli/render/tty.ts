/**
 * The live view on a terminal: one row per service — state, time in that state (or to ready), and
 * what it is doing or waiting for — redrawn in place with ANSI cursor movement.
 *
 * A small renderer of our own rather than listr2: the engine's model is events per service with
 * DAG-parallel transitions and 'waiting for X' rows, which maps onto a redrawn table directly,
 * while listr2's task tree would need an adapter layer and a dependency for ~150 lines of drawing.
 */
import type { Stack } from '../../config/model.js';
import type { EngineEvent, ServicePhase } from '../../engine/events.js';
import { planSummary, type Plan } from '../../plan/plan.js';
import { truncate } from './ansi.js';
import type { Output } from './output.js';
import type { ProgressRenderer } from './progress-renderer.js';
import { formatMs, stateMark } from './text.js';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FINAL: ReadonlySet<ServicePhase> = new Set(['ready', 'started', 'completed', 'failed', 'blocked', 'cancelled', 'removed']);
const ACTIVE: ReadonlySet<ServicePhase> = new Set(['building', 'pulling', 'creating', 'starting', 'probing', 'stopping', 'stopped', 'unchanged']);

interface Row {
  service: string;
  phase: ServicePhase;
  since: number;
  /** When work on it began (first active phase). */
  began?: number;
  ended?: number;
  detail: string;
  attempts: number;
  lastProbeError?: string;
}

export class TtyRenderer implements ProgressRenderer {
  private readonly rows = new Map<string, Row>();
  private readonly deps = new Map<string, Array<{ service: string; condition: string }>>();
  private drawn = 0;
  private frame = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private header: string | undefined;

  constructor(
    private readonly out: Output,
    stack: Stack,
    private readonly verb: 'up' | 'down',
  ) {
    for (const service of stack.services) {
      this.rows.set(service.name, { service: service.name, phase: 'waiting', since: Date.now(), detail: '', attempts: 0 });
      this.deps.set(service.name, service.dependsOn.map((dep) => ({ service: dep.service, condition: dep.condition })));
    }
    this.timer = setInterval(() => this.draw(), 100);
    this.timer.unref?.();
  }

  plan(plan: Plan): void {
    this.header = planSummary(plan);
    this.draw();
  }

  private row(service: string): Row {
    let row = this.rows.get(service);
    if (!row) {
      row = { service, phase: 'waiting', since: Date.now(), detail: '', attempts: 0 };
      this.rows.set(service, row);
    }
    return row;
  }

  event(event: EngineEvent): void {
    switch (event.type) {
      case 'service.phase': {
        const row = this.row(event.service);
        row.phase = event.phase;
        row.since = event.at;
        if (row.began === undefined && ACTIVE.has(event.phase)) row.began = event.at;
        if (FINAL.has(event.phase)) row.ended = event.at;
        row.detail = event.detail ?? '';
        break;
      }
      case 'service.progress':
        this.row(event.service).detail = event.line.trim();
        break;
      case 'service.probe': {
        const row = this.row(event.service);
        row.attempts = event.attempt;
        if (event.error) row.lastProbeError = event.error;
        break;
      }
      default:
        break;
    }
    this.draw();
  }

  private satisfied(dep: string, condition: string): boolean {
    const phase = this.rows.get(dep)?.phase;
    if (phase === undefined) return true;
    if (condition === 'started') return ['probing', 'ready', 'started', 'completed'].includes(phase);
    if (condition === 'completed') return phase === 'completed';
    return ['ready', 'started', 'completed'].includes(phase);
  }

  private describe(row: Row): string {
    if (row.phase === 'waiting' && this.verb === 'up') {
      const pending = (this.deps.get(row.service) ?? []).filter((dep) => !this.satisfied(dep.service, dep.condition));
      if (pending.length > 0) return `for ${pending.map((dep) => dep.service).join(', ')}`;
      return row.detail;
    }
    if (row.phase === 'probing' && row.attempts > 0) {
      const last = row.lastProbeError ? ` — ${row.lastProbeError}` : '';
      return `${row.detail} (attempt ${row.attempts}${last})`;
    }
    return row.detail;
  }

  private render(): string[] {
    const p = this.out.paint;
    const now = Date.now();
    const width = Math.max(...[...this.rows.keys()].map((name) => name.length), 7);
    const spinner = SPINNER[this.frame % SPINNER.length]!;
    const lines: string[] = [];
    if (this.header) lines.push(this.header);
    for (const row of this.rows.values()) {
      const mark = FINAL.has(row.phase) ? stateMark(row.phase, p) : ACTIVE.has(row.phase) ? p.cyan(spinner) : p.dim('·');
      const elapsed = row.began === undefined ? '' : formatMs((row.ended ?? now) - row.began);
      const phase =
        row.phase === 'failed' ? p.red(row.phase) : row.phase === 'blocked' ? p.yellow(row.phase) : FINAL.has(row.phase) ? p.green(row.phase) : row.phase;
      const line = `${mark} ${row.service.padEnd(width)}  ${phase}${' '.repeat(Math.max(1, 10 - row.phase.length))}${elapsed.padStart(7)}  ${p.dim(this.describe(row))}`;
      lines.push(truncate(line, this.out.columns - 1));
    }
    return lines;
  }

  private draw(): void {
    this.frame += 1;
    const lines = this.render();
    let text = this.drawn > 0 ? `\u001b[${this.drawn}A` : '';
    for (const line of lines) text += `\u001b[2K${line}\n`;
    this.drawn = lines.length;
    this.out.write(text);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.draw();
  }
}
