/**
 * stackctl's log file: pino, one JSON object per line, in `.stackctl/logs/<stack>.log` beside the
 * stack file. Every line passes through the stack's secrets before it is written (pino's
 * `hooks.streamWrite`), in clear and in the JSON-escaped form a value takes inside a log line.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { Redactor } from './secrets.js';

export type { Logger } from 'pino';

export interface StackLogOptions {
  /** Directory of the stack file. */
  stackDir: string;
  stack: string;
  /** Every secret value of the stack (Stack.secretValues). */
  secrets: Iterable<string>;
  /** The stack's identifiers (stackIdentifiers), never masked. */
  keep?: Iterable<string>;
  level?: pino.LevelWithSilent;
}

export function stackLogFile(stackDir: string, stack: string): string {
  return path.join(stackDir, '.stackctl', 'logs', `${stack}.log`);
}

/** A Redactor that also catches the JSON-escaped spelling of each secret. */
export function logRedactor(secrets: Iterable<string>, keep: Iterable<string> = []): Redactor {
  const redactor = new Redactor([], { keep });
  for (const value of secrets) {
    redactor.add(value);
    redactor.add(JSON.stringify(value).slice(1, -1));
  }
  return redactor;
}

export interface StackLog {
  logger: Logger;
  file: string;
  /** Flushes and closes the file. */
  close(): void;
}

export function createStackLog(options: StackLogOptions): StackLog {
  const file = stackLogFile(options.stackDir, options.stack);
  mkdirSync(path.dirname(file), { recursive: true });
  const redactor = logRedactor(options.secrets, options.keep);
  // sync: a Ctrl-C or a crash must not lose the last lines, and stackctl logs little.
  const destination = pino.destination({ dest: file, sync: true, append: true });
  const logger = pino(
    {
      level: options.level ?? 'debug',
      base: { stack: options.stack, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: { streamWrite: (line) => redactor.redact(line) },
    },
    destination,
  );
  return {
    logger,
    file,
    close: () => {
      try {
        destination.flushSync();
      } catch {
        // nothing left to flush
      }
      destination.end();
    },
  };
}
