/**
 * Shared prefixes of Dockerfiles: the first instructions several images have in common (the same
 * base and the same `RUN apt-get install …` in eight Dockerfiles), so the stack builds them once and
 * every image after it reuses those layers from the engine's cache.
 *
 * A step's key is what the classic builder's cache compares: FROM by its resolved reference, ARG by
 * its resolved value, COPY/ADD by flags, destination and a digest of the files they take from the
 * context (given by the caller), every other instruction by its text as written. Only the first
 * stage is considered, and a step whose effect cannot be known from the text (COPY --from, a glob
 * or the whole context, ADD of a URL, ONBUILD) ends the comparable part.
 *
 * Pure: the caller reads the files and computes the COPY digests (engine/build-plan.ts).
 */
import { createHash } from 'node:crypto';
import { flagValue, parseCopyArgs, parseDockerfile, substitute, type Instruction } from './parse.js';

export interface PrefixStep {
  /** What the build cache compares (see above). */
  key: string;
  /** The instruction as written (its physical lines), for the prefix Dockerfile. */
  text: string;
  /** RUN, COPY or ADD: a step that does work (others only change metadata). */
  work: boolean;
}

export interface ResolvedDockerfile {
  /** `ARG` lines before the first FROM, as written (FROM may use them). */
  preamble: string[];
  /** The comparable steps of the first stage, from its FROM on. */
  steps: PrefixStep[];
}

/** The sources of each COPY/ADD of the first stage whose digest the caller must supply. */
export function copySources(dockerfile: string): string[][] {
  const out: string[][] = [];
  let froms = 0;
  for (const instruction of parseDockerfile(dockerfile)) {
    if (instruction.keyword === 'FROM' && ++froms > 1) break;
    if (instruction.keyword !== 'COPY' && instruction.keyword !== 'ADD') continue;
    const args = parseCopyArgs(instruction.args);
    if (args && flagValue(args.flags, 'from') === undefined) out.push(args.sources);
  }
  return out;
}

/** Key of a COPY's sources in the map the caller fills: the sources joined by NUL. */
export function sourcesKey(sources: readonly string[]): string {
  return sources.join('\u0000');
}

const UNSUPPORTED = new Set(['ONBUILD']);
const GLOB = /[*?[]/;

/** Is a COPY source something whose content the caller can digest (a path, not a glob or the whole context)? */
export function isPlainSource(source: string): boolean {
  const cleaned = source.replace(/^\.?\/+/, '').replace(/\/+$/, '');
  return cleaned !== '' && cleaned !== '.' && !cleaned.startsWith('../') && cleaned !== '..' && !GLOB.test(cleaned) && !/^[a-z]+:\/\//i.test(source);
}

/**
 * The comparable steps of a Dockerfile. `digests` maps sourcesKey(sources) → digest of what those
 * sources take from the build context; a COPY/ADD without one ends the steps.
 */
export function resolveSteps(dockerfile: string, buildArgs: Readonly<Record<string, string>>, digests: ReadonlyMap<string, string>): ResolvedDockerfile {
  const lines = dockerfile.split(/\r?\n/);
  const textOf = (instruction: Instruction): string =>
    lines
      .slice(instruction.line - 1, instruction.lastLine)
      .map((line) => line.trimEnd())
      .join('\n');
  const preamble: string[] = [];
  const globals: Record<string, string> = {};
  const steps: PrefixStep[] = [];
  let inStage = false;
  for (const instruction of parseDockerfile(dockerfile)) {
    const { keyword } = instruction;
    if (!inStage) {
      if (keyword === 'ARG') {
        preamble.push(textOf(instruction));
        for (const [name, value] of declarations(instruction.args)) {
          const resolved = buildArgs[name] ?? value;
          if (resolved !== undefined) globals[name] = resolved;
        }
        continue;
      }
      if (keyword !== 'FROM') break;
      const words = instruction.args.split(/\s+/).filter(Boolean);
      const flags = words.filter((word) => word.startsWith('--'));
      const ref = words.find((word) => !word.startsWith('--'));
      const resolved = ref === undefined ? undefined : substitute(ref, globals);
      if (!resolved) break;
      inStage = true;
      steps.push({ key: `FROM ${[...flags, resolved].join(' ')}`, text: textOf(instruction), work: false });
      continue;
    }
    if (keyword === 'FROM' || UNSUPPORTED.has(keyword)) break;
    if (keyword === 'ARG') {
      const resolved = declarations(instruction.args).map(([name, value]) => `${name}=${buildArgs[name] ?? value ?? ''}`);
      steps.push({ key: `ARG ${JSON.stringify(resolved)}`, text: textOf(instruction), work: false });
      continue;
    }
    if (keyword === 'COPY' || keyword === 'ADD') {
      const args = parseCopyArgs(instruction.args);
      if (!args || flagValue(args.flags, 'from') !== undefined || !args.sources.every(isPlainSource)) break;
      const digest = digests.get(sourcesKey(args.sources));
      if (digest === undefined) break;
      steps.push({ key: `${keyword} ${JSON.stringify([...args.flags].sort())} ${digest} ${args.dest}`, text: textOf(instruction), work: true });
      continue;
    }
    steps.push({ key: `${keyword}${textOf(instruction).replace(/^\S+/, '')}`, text: textOf(instruction), work: keyword === 'RUN' });
  }
  return { preamble, steps };
}

function declarations(args: string): Array<[string, string | undefined]> {
  return args
    .split(/\s+/)
    .filter(Boolean)
    .map((declaration) => {
      const [name = '', value] = declaration.split(/=(.*)/s);
      return [name, value === undefined ? undefined : value.replace(/^"(.*)"$/s, '$1').replace(/^'(.*)'$/s, '$1')];
    });
}

export interface PrefixCandidate {
  id: string;
  resolved: ResolvedDockerfile;
}

export interface SharedPrefix {
  /** Digest of the prefix's step keys (names its stage image). */
  key: string;
  /** How many steps (FROM included) the members share. */
  length: number;
  /** Members, in the candidates' order; the first is the one whose text the stage is built from. */
  members: string[];
  /** The shared prefix this one extends (a subset of its members sharing more steps), if any. */
  parent?: string;
  /** The Dockerfile of the stage: the first member's preamble and its first `length` steps. */
  dockerfile: string;
  /** RUN/COPY/ADD steps in the prefix. */
  workSteps: number;
}

interface TrieNode {
  depth: number;
  members: string[];
  children: Map<string, TrieNode>;
  path: PrefixStep[];
}

/**
 * The shared prefixes worth building once: wherever two or more candidates share their steps up to
 * a point where they part, and those common steps include work (RUN/COPY/ADD) beyond what an
 * enclosing shared prefix already covers. Nested prefixes (three of eight images sharing more) come
 * after their parent, so building the list in order builds each step once.
 */
export function sharedPrefixes(candidates: readonly PrefixCandidate[]): SharedPrefix[] {
  const root: TrieNode = { depth: 0, members: [], children: new Map(), path: [] };
  const byId = new Map(candidates.map((candidate) => [candidate.id, candidate]));
  for (const candidate of candidates) {
    let node = root;
    node.members.push(candidate.id);
    for (const step of candidate.resolved.steps) {
      let child = node.children.get(step.key);
      if (!child) {
        child = { depth: node.depth + 1, members: [], children: new Map(), path: [...node.path, step] };
        node.children.set(step.key, child);
      }
      child.members.push(candidate.id);
      node = child;
    }
  }
  const out: SharedPrefix[] = [];
  const visit = (node: TrieNode, parent: SharedPrefix | undefined): void => {
    // Follow the chain while every member goes on together: the prefix ends where they part.
    let end = node;
    while (end.members.length >= 2) {
      const whole = [...end.children.values()].find((child) => child.members.length === end.members.length);
      if (!whole) break;
      end = whole;
    }
    let here = parent;
    const newWork = end.path.slice(parent?.length ?? 0).some((step) => step.work);
    if (end !== root && end.members.length >= 2 && newWork && end.depth > (parent?.length ?? 0)) {
      const first = byId.get(end.members[0] ?? '');
      const steps = end.path;
      here = {
        key: createHash('sha256')
          .update(steps.map((step) => step.key).join('\n'))
          .digest('hex'),
        length: end.depth,
        members: [...end.members],
        ...(parent ? { parent: parent.key } : {}),
        dockerfile: `${[...(first?.resolved.preamble ?? []), ...(first?.resolved.steps.slice(0, end.depth).map((step) => step.text) ?? [])].join('\n')}\n`,
        workSteps: steps.filter((step) => step.work).length,
      };
      out.push(here);
    }
    for (const child of end.children.values()) if (child.members.length >= 2) visit(child, here);
  };
  visit(root, undefined);
  return out;
}
