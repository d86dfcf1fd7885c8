/**
 * Every string stackctl prints goes through an Output: it redacts the stack's secrets first, then
 * writes. Renderers and commands never write to the streams directly.
 */
import type { Redactor } from '../../secrets.js';
import type { CliContext } from '../context.js';
import { paint, type Paint } from '../../paint.js';
import { colorEnabled } from './ansi.js';

export class Output {
  readonly paint: Paint;
  readonly color: boolean;

  constructor(
    readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number },
    readonly redactor: Redactor,
    env: NodeJS.ProcessEnv,
  ) {
    this.color = colorEnabled(stream, env);
    this.paint = paint(this.color);
  }

  get isTTY(): boolean {
    return this.stream.isTTY === true;
  }

  get columns(): number {
    return this.stream.columns && this.stream.columns > 20 ? this.stream.columns : 100;
  }

  /** The terminal's height (40 when unknown, e.g. `--progress tty` into a pipe). */
  get rows(): number {
    return this.stream.rows && this.stream.rows > 5 ? this.stream.rows : 40;
  }

  /** Writes text as is (after redaction). */
  write(text: string): void {
    this.stream.write(this.redactor.redact(text));
  }

  line(text = ''): void {
    this.write(`${text}\n`);
  }

  /** One JSON document per line, every string redacted. */
  json(value: unknown): void {
    this.stream.write(`${JSON.stringify(this.redactor.redactValue(value))}\n`);
  }
}

export function stdoutOf(ctx: CliContext, redactor: Redactor): Output {
  return new Output(ctx.stdout, redactor, ctx.env);
}

export function stderrOf(ctx: CliContext, redactor: Redactor): Output {
  return new Output(ctx.stderr, redactor, ctx.env);
}
