import { Command, CommanderError } from 'commander';
import { errorMessage, isStackctlError } from '../errors.js';
import { createCliContext, type CliContext } from './context.js';
import { registerCommands } from './commands/index.js';
import { VERSION } from '../version.js';

export async function buildProgram(ctx: CliContext, argv: string[] = []): Promise<Command> {
  const program = new Command('stackctl')
    .description('Bring a Dockerized stack up in dependency order, prove it ready, diagnose failures, report.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => ctx.stdout.write(text),
      writeErr: (text) => ctx.stderr.write(text),
    })
    .exitOverride();
  await registerCommands(program, ctx, argv);
  for (const command of program.commands) command.exitOverride().showHelpAfterError('(run with --help for usage)');
  return program;
}

/**
 * Runs the CLI and returns the process exit code: 0 ok, 1 problems found, 2 usage error,
 * 70 internal error, 130 cancelled. Never lets a stack trace reach the user.
 */
export async function main(argv: string[], ctx: CliContext = processContext(argv)): Promise<number> {
  try {
    const program = await buildProgram(ctx, argv);
    await program.parseAsync(argv);
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (isStackctlError(error)) {
      ctx.stderr.write(`stackctl: ${error.shortMessage}\n`);
      if (error.hint) ctx.stderr.write(`  hint: ${error.hint}\n`);
      return error.exitCode;
    }
    ctx.stderr.write(`stackctl: internal error (a bug in stackctl, please report it): ${errorMessage(error)}\n`);
    if (ctx.env.STACKCTL_DEBUG && error instanceof Error && error.stack) ctx.stderr.write(`${error.stack}\n`);
    return 70;
  }
}

/**
 * Commands that only read and print have nothing to finish cleanly: Ctrl-C keeps its default meaning
 * there and ends them at once (exit 130), even in the middle of CPU-bound work, where a JavaScript
 * handler would only run after the work is done.
 */
const ENDS_AT_ONCE = new Set(['validate', 'plan', 'export', 'import', 'report', 'ps', 'help']);

function processContext(argv: string[]): CliContext {
  endQuietlyWhenOutputCloses(process.stdout);
  endQuietlyWhenOutputCloses(process.stderr);
  const command = argv.slice(2).find((arg) => !arg.startsWith('-'));
  return createCliContext(command !== undefined && ENDS_AT_ONCE.has(command) ? new AbortController().signal : interruptSignal());
}

/** `stackctl ps | head`: the reader went away, so there is no one left to tell; end like other CLIs do. */
function endQuietlyWhenOutputCloses(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

/** First Ctrl-C aborts gracefully; a second one forces the process out. */
function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      process.stderr.write('\nstackctl: forced exit\n');
      process.exit(130);
    }
    const again = signal === 'SIGINT' ? 'Ctrl-C' : signal;
    process.stderr.write(`\nstackctl: ${signal === 'SIGINT' ? 'interrupted' : `got ${signal}`} — finishing cleanly (${again} again to force)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}
