import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';

// Placeholder until the command lands; replaced by its owner.
export function registerExport(program: Command, _ctx: CliContext): void {
  program
    .command('export')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new UsageError('stackctl export is not implemented yet');
    });
}
