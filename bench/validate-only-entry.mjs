// A CLI entry with only `validate` registered: how long stackctl validate takes when the other
// commands' modules (dockerode, pino, pg, redis, …) are not loaded eagerly. Used by validate-bench.mjs.
import { Command } from 'commander';
import { registerValidate } from '../dist/cli/commands/validate.js';
import { createCliContext } from '../dist/cli/context.js';

const ctx = createCliContext(new AbortController().signal);
const program = new Command('stackctl').exitOverride();
registerValidate(program, ctx);
await program.parseAsync(process.argv);
process.exitCode = ctx.exitCode;
