/**
 * Every healthcheck recogniser, one per tool, in the order they are asked (the first that handles a
 * command decides). A new tool is a module beside these and one line here.
 */
import { curl } from './curl.js';
import { pgIsReady } from './pg-isready.js';
import { psql } from './psql.js';
import { python } from './python.js';
import type { HealthcheckContext, Recognised, Recogniser } from './recogniser.js';
import { expandContainerVariables } from './recogniser.js';
import { redisCli } from './redis-cli.js';
import { devTcp, netcat } from './tcp.js';
import { wget } from './wget.js';

const RECOGNISERS: readonly Recogniser[] = [devTcp, psql, curl, wget, python, pgIsReady, redisCli, netcat];

/** The probe a command's words translate to, or undefined (it stays an exec probe). */
export function recognise(allWords: string[], outer: HealthcheckContext): Recognised | undefined {
  const shown = allWords.join(' ');
  // `PGPASSWORD="$$POSTGRES_PASSWORD" psql …`: leading assignments are the command's own environment.
  const assigned: Record<string, string> = {};
  let start = 0;
  while (start < allWords.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(allWords[start]!)) {
    const word = allWords[start]!;
    const eq = word.indexOf('=');
    const value = expandContainerVariables(word.slice(eq + 1), outer);
    if (value === undefined) return undefined;
    assigned[word.slice(0, eq)] = value;
    start++;
  }
  const words = allWords.slice(start);
  const ctx: HealthcheckContext = { ...outer, containerEnv: (name) => assigned[name] ?? outer.containerEnv(name) };
  const program = (words[0] ?? '').split('/').pop() ?? '';
  return RECOGNISERS.find((recogniser) => recogniser.handles(program, words))?.recognise(words, ctx, shown);
}
