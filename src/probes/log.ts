/** log: a line of the container's output (stdout or stderr) matches a regular expression. */
import type { ProbeSpec } from '../config/model.js';
import { HopelessProbeError, type Probe, type ProbeTarget } from './probe.js';
import { ProbeError } from './probe-failure.js';
import { excerpt, probeRedactor, type ProbeOptions, type TextRedactor } from './support.js';

/** The model's log probe (config/model.ts ProbeSpec). */
export type LogProbeSpec = Extract<ProbeSpec, { kind: 'log' }>;

/** Output lines read per attempt: readiness lines come early, so this is plenty. */
const TAIL = 10_000;

export class LogProbe implements Probe {
  private readonly redactor: TextRedactor;
  private regex: RegExp | undefined;

  constructor(
    private readonly spec: LogProbeSpec,
    options: ProbeOptions = {},
  ) {
    this.redactor = probeRedactor(options, []);
  }

  describe(target: ProbeTarget): string {
    return `output of ${target.service} matching /${this.spec.pattern}/`;
  }

  private compiled(): RegExp {
    if (!this.regex) {
      try {
        this.regex = new RegExp(this.spec.pattern, 'm');
      } catch (error) {
        const message = `log probe pattern /${this.spec.pattern}/ is not a valid regular expression: ${(error as Error).message}`;
        throw new HopelessProbeError(message, { probe: 'log', kind: 'config', message, detail: '' });
      }
    }
    return this.regex;
  }

  async check(target: ProbeTarget, signal: AbortSignal): Promise<void> {
    const regex = this.compiled();
    const output = await target.runtime.logs(target.containerId, TAIL);
    if (signal.aborted) throw new ProbeError({ probe: 'log', kind: 'cancelled', message: 'log probe cancelled', detail: '' });
    if (regex.test(output)) return;
    const lines = output.split('\n').filter((line) => line.trim() !== '');
    const last = lines.at(-1);
    const tail = last === undefined ? 'no output yet' : `${lines.length} lines so far, the last: "${excerpt(last, 200)}"`;
    throw new ProbeError({ probe: 'log', kind: 'not-seen', message: this.redactor.redact(`no output line matches /${this.spec.pattern}/ yet (${tail})`), detail: '' });
  }
}
