import type { Command } from 'commander';
import type { CliContext } from '../context.js';

type Register = (program: Command, ctx: CliContext) => void;

/**
 * Each command's module, loaded on demand: `stackctl validate` must not pay for loading dockerode,
 * pg, playwright-core and the daemon (that cost ~1.5 s of start-up; see BENCHMARKS.md).
 * Order here is the order of `stackctl --help`.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  validate: async () => (await import('./validate.js')).registerValidate,
  plan: async () => (await import('./plan.js')).registerPlan,
  import: async () => (await import('./import.js')).registerImport,
  export: async () => (await import('./export.js')).registerExport,
  push: async () => (await import('./push.js')).registerPush,
  up: async () => (await import('./up.js')).registerUp,
  down: async () => (await import('./down.js')).registerDown,
  ps: async () => (await import('./ps.js')).registerPs,
  logs: async () => (await import('./logs.js')).registerLogs,
  test: async () => (await import('./test.js')).registerTest,
  report: async () => (await import('./report.js')).registerReport,
  restart: async () => (await import('./restart.js')).registerRestart,
  watch: async () => (await import('./watch.js')).registerWatch,
  build: async () => (await import('./build.js')).registerBuild,
  start: async () => (await import('./start-stop.js')).registerStart,
  stop: async () => (await import('./start-stop.js')).registerStop,
  exec: async () => (await import('./exec.js')).registerExec,
  run: async () => (await import('./run.js')).registerRun,
  top: async () => (await import('./top.js')).registerTop,
  config: async () => (await import('./config.js')).registerConfig,
  // The completion script describes every command: it is handed the registration of all of them.
  completion: async () => {
    const { registerCompletion } = await import('./completion.js');
    return (program, ctx) => registerCompletion(program, ctx, (all) => registerCommands(all, ctx, ['node', 'stackctl']));
  },
  daemon: async () => (await import('./daemon.js')).registerDaemon,
  diagnose: async () => (await import('./diagnose.js')).registerDiagnose,
  doctor: async () => (await import('./doctor.js')).registerDoctor,
  env: async () => (await import('./env.js')).registerEnv,
  port: async () => (await import('./env.js')).registerPort,
  gc: async () => (await import('./gc.js')).registerGc,
};

export const COMMAND_NAMES = Object.keys(COMMANDS);

/**
 * Registers the command named on the command line, or every command when none is named (help,
 * suggestions for a mistyped name).
 */
export async function registerCommands(program: Command, ctx: CliContext, argv: string[]): Promise<void> {
  const named = argv.slice(2).find((arg) => !arg.startsWith('-'));
  // `stackctl --version` prints one line: loading all 27 commands for it took ~0.4 s (BENCHMARKS.md).
  if (named === undefined && argv.slice(2).some((arg) => arg === '--version' || arg === '-V')) return;
  const wanted = named !== undefined && named in COMMANDS && named !== 'help' ? [named] : COMMAND_NAMES;
  const registers = await Promise.all(wanted.map((name) => COMMANDS[name]!()));
  for (const register of registers) register(program, ctx);
}
