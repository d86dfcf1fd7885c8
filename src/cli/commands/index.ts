import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerValidate } from './validate.js';
import { registerPlan } from './plan.js';
import { registerImport } from './import.js';
import { registerExport } from './export.js';
import { registerUp } from './up.js';
import { registerDown } from './down.js';
import { registerPs } from './ps.js';
import { registerLogs } from './logs.js';
import { registerTest } from './test.js';
import { registerReport } from './report.js';
import { registerDaemon } from './daemon.js';

export function registerCommands(program: Command, ctx: CliContext): void {
  for (const register of [
    registerValidate,
    registerPlan,
    registerImport,
    registerExport,
    registerUp,
    registerDown,
    registerPs,
    registerLogs,
    registerTest,
    registerReport,
    registerDaemon,
  ]) {
    register(program, ctx);
  }
}
