/**
 * The image's labels as one LABEL instruction appended to the Dockerfile. The classic builder turns
 * the build API's `labels` into one LABEL step per label, each a container commit (about half a
 * second on a loaded 2-core machine): four labels cost four commits per image, one line costs one.
 * The changed Dockerfile travels as a generated file at the context's root, so this is done only
 * where nothing can tell: not with a `target` (the last stage may not be it), not after a line that
 * continues, not with a value the LABEL syntax would reinterpret, and not when a COPY/ADD takes the
 * whole context or a glob of it (the generated file would be copied too). Otherwise the caller keeps
 * the API's `labels`.
 */
import { createHash } from 'node:crypto';
import { flagValue, parseCopyArgs, parseDockerfile } from '../dockerfile/parse.js';
import { isPlainSource } from '../dockerfile/shared-prefix.js';
import type { PreparedBuildContext } from './build-context.js';

/** Does every COPY/ADD from the build context name plain paths (no `.`, no glob)? */
function copiesOnlyPaths(dockerfile: string): boolean {
  return parseDockerfile(dockerfile).every((instruction) => {
    if (instruction.keyword !== 'COPY' && instruction.keyword !== 'ADD') return true;
    const args = parseCopyArgs(instruction.args);
    if (!args) return false;
    return flagValue(args.flags, 'from') !== undefined || args.sources.every(isPlainSource);
  });
}

const UNSAFE_VALUE = /["\\`$\n\r]/;

export function withLabelStep(prepared: PreparedBuildContext, labels: Readonly<Record<string, string>>, target: string | undefined): PreparedBuildContext | undefined {
  if (target !== undefined) return undefined;
  const text = prepared.dockerfile.trimEnd();
  if (text.endsWith('\\') || text.endsWith('`') || !copiesOnlyPaths(text)) return undefined;
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.some(([key, value]) => UNSAFE_VALUE.test(key) || UNSAFE_VALUE.test(value))) return undefined;
  const dockerfile = `${text}\nLABEL ${entries.map(([key, value]) => `"${key}"="${value}"`).join(' ')}\n`;
  const name = `.stackctl-dockerfile-${createHash('sha256').update(dockerfile).digest('hex').slice(0, 16)}`;
  return {
    ...prepared,
    dockerfile,
    dockerfilePath: name,
    generated: [...prepared.generated.filter((file) => file.name !== prepared.dockerfilePath), { name, content: Buffer.from(dockerfile) }],
  };
}
