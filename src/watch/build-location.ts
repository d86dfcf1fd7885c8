/**
 * Where in the Dockerfile a failed build failed: the engine names a parse error's line
 * ("dockerfile parse error line 3: …") or the step ("Step 4/7 : RUN …", the 4th instruction).
 */
import { readFileSync } from 'node:fs';
import type { BuildSpec } from '../config/model.js';
import type { SourceLocation } from '../errors.js';
import { parseDockerfile } from '../dockerfile/parse.js';

export function buildFailureLocation(build: BuildSpec | undefined, texts: string[]): SourceLocation | undefined {
  if (!build?.dockerfile) return undefined;
  const file = build.dockerfile;
  for (const text of texts) {
    const parseLine = /dockerfile parse error (?:on )?line (\d+)/i.exec(text);
    if (parseLine) return { file, line: Number(parseLine[1]), col: 1 };
  }
  for (const text of texts) {
    const step = /Step (\d+)\/\d+ :/.exec(text);
    if (!step) continue;
    let instructions;
    try {
      instructions = parseDockerfile(readFileSync(file, 'utf8'));
    } catch {
      return { file, line: 0, col: 0 };
    }
    const instruction = instructions[Number(step[1]) - 1];
    return { file, line: instruction?.line ?? 0, col: instruction ? 1 : 0 };
  }
  return undefined;
}
