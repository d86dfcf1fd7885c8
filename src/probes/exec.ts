/** exec: a command run inside the container exits 0. */
import type { ProbeSpec } from '../config/model.js';
import type { Probe, ProbeTarget } from './probe.js';
import { ProbeError } from './probe-failure.js';
import { excerpt, probeRedactor, type ProbeOptions, type TextRedactor } from './support.js';

/** The model's exec probe (config/model.ts ProbeSpec). */
export type ExecProbeSpec = Extract<ProbeSpec, { kind: 'exec' }>;

/** Shell-like rendering of an argv for messages. */
function renderCommand(command: string[]): string {
  return command.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export class ExecProbe implements Probe {
  readonly execsInContainer = true;
  private readonly redactor: TextRedactor;

  constructor(
    private readonly spec: ExecProbeSpec,
    options: ProbeOptions = {},
  ) {
    // The command may carry an interpolated credential (`redis-cli -a …`): it is redacted wherever shown.
    this.redactor = probeRedactor(options, []);
  }

  describe(target: ProbeTarget): string {
    return `exec \`${this.redactor.redact(renderCommand(this.spec.command))}\` in ${target.service}`;
  }

  async check(target: ProbeTarget, signal: AbortSignal): Promise<void> {
    const result = await target.runtime.exec(target.containerId, this.spec.command, signal);
    if (result.exitCode === 0) return;
    const lines = result.output.split('\n').map((line) => line.trim()).filter(Boolean);
    const said = lines.length > 0 ? `: ${excerpt(lines.slice(-3).join(' | '))}` : '';
    throw new ProbeError({
      probe: 'exec',
      kind: 'command-failed',
      message: this.redactor.redact(`\`${renderCommand(this.spec.command)}\` exited with code ${result.exitCode}${said}`),
      // The command's own output: the container's words, classified like its logs.
      detail: this.redactor.redact(lines.slice(-3).join('\n')),
    });
  }
}
