/**
 * The live view on a terminal: one row per service — state, time in that state (or to ready), and
 * what it is doing or waiting for — redrawn in place with ANSI cursor movement.
 *
 * A small renderer of our own rather than listr2: the engine's model is events per service with
 * DAG-parallel transitions and 'waiting for X' rows, which maps onto a redrawn table directly,
 * while listr2's task tree would need an adapter layer and a dependency for ~150 lines of drawing.
 *
 * At most one frame per FRAME_MS, however many events arrive (200 services send ~1,400), and never
 * more rows than the terminal has: cursor movement cannot reach rows scrolled off the top, so a
 * taller table would repeat itself down the scrollback. A stack taller than the terminal is shown
 * as one count line plus the rows that matter now: failed and blocked, then those in progress.
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
const FRAME_MS = 100;
/** Rows kept free below the view (the prompt's line, a line the shell may add). */
const MARGIN_ROWS = 2;

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
  private lastDraw = 0;
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
    this.timer = setInterval(() => this.draw(), FRAME_MS);
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
    // The timer draws what arrives in between.
    if (Date.now() - this.lastDraw >= FRAME_MS) this.draw();
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

  private line(row: Row, width: number, spinner: string, now: number): string {
    const p = this.out.paint;
    const mark = FINAL.has(row.phase) ? stateMark(row.phase, p) : ACTIVE.has(row.phase) ? p.cyan(spinner) : p.dim('·');
    const elapsed = row.began === undefined ? '' : formatMs((row.ended ?? now) - row.began);
    const phase = row.phase === 'failed' ? p.red(row.phase) : row.phase === 'blocked' ? p.yellow(row.phase) : FINAL.has(row.phase) ? p.green(row.phase) : row.phase;
    const line = `${mark} ${row.service.padEnd(width)}  ${phase}${' '.repeat(Math.max(1, 10 - row.phase.length))}${elapsed.padStart(7)}  ${p.dim(this.describe(row))}`;
    return truncate(line, this.out.columns - 1);
  }

  /** The rows shown: all of them when they fit, else the ones that matter now (see the top). */
  private visible(room: number): { rows: Row[]; counts?: string } {
    const all = [...this.rows.values()];
    if (all.length <= room) return { rows: all };
    const rank = (row: Row): number => (row.phase === 'failed' || row.phase === 'blocked' ? 0 : ACTIVE.has(row.phase) ? 1 : 2);
    const shown = all.filter((row) => rank(row) < 2).sort((a, b) => rank(a) - rank(b)).slice(0, Math.max(0, room - 1));
    const byPhase = new Map<string, number>();
    for (const row of all) byPhase.set(row.phase, (byPhase.get(row.phase) ?? 0) + 1);
    const counts = `${all.length} services: ${[...byPhase].map(([phase, n]) => `${n} ${phase}`).join(' · ')}${shown.length < all.length ? ` (${all.length - shown.length} not shown)` : ''}`;
    const order = new Map(all.map((row, index) => [row, index]));
    return { rows: shown.sort((a, b) => order.get(a)! - order.get(b)!), counts };
  }

  private render(): string[] {
    const now = Date.now();
    const width = Math.max(...[...this.rows.keys()].map((name) => name.length), 7);
    const spinner = SPINNER[this.frame % SPINNER.length]!;
    const lines: string[] = [];
    if (this.header) lines.push(truncate(this.header, this.out.columns - 1));
    const { rows, counts } = this.visible(this.out.rows - MARGIN_ROWS - lines.length);
    if (counts !== undefined) lines.push(truncate(counts, this.out.columns - 1));
    for (const row of rows) lines.push(this.line(row, width, spinner, now));
    return lines;
  }

  private draw(): void {
    this.frame += 1;
    this.lastDraw = Date.now();
    const lines = this.render();
    let text = this.drawn > 0 ? `\u001b[${this.drawn}A` : '';
    for (const line of lines) text += `\u001b[2K${line}\n`;
    // A shorter frame than the last one (the compact view's rows come and go): clear what is left.
    if (lines.length < this.drawn) text += '\u001b[J';
    this.drawn = lines.length;
    this.out.write(text);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.draw();
  }
}
