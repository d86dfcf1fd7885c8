/**
 * YAML with positions. A YamlSource is one parsed file: its plain value (anchors, aliases and `<<`
 * merge keys resolved), every syntax error as a Diagnostic with line:col, and `locate(path)` that
 * maps a key path back to `file:line:col` so any later finding (schema, rules) can point into the file.
 *
 * Stable API (src/compose/ builds on it):
 *   parseYamlSource(text, file)       → YamlSource (never throws)
 *   readYamlSource(file)              → Promise<YamlSource> (unreadable file → a FILE001 diagnostic)
 *   source.value                      plain JS value, undefined when the document is empty or broken
 *   source.diagnostics                YAML001 errors / YAML002 warnings, all of them, in file order
 *   source.locate(path)               location of the value at path (nearest existing ancestor if absent)
 *   source.locateKey(path)            location of the key of the last segment (for "unknown key" findings)
 *   source.locateInScalar(path, text) location of `text` inside the scalar at path (e.g. a `${VAR}`)
 */
import { lineIndex } from './line-index.js';
import { readInputFile } from './read-input.js';
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  Parser,
  parseDocument,
  visit,
  type Document,
  type Node as YamlNode,
  type Pair,
} from 'yaml';
import { errorMessage, sortByLocation, type SourceLocation } from '../errors.js';
import type { Diagnostic } from '../diagnostic.js';

export type KeyPath = ReadonlyArray<string | number>;

export interface YamlSource {
  /** The file name as given (absolute paths recommended); used in every location. */
  file: string;
  text: string;
  /** Plain value of the document; undefined when empty or when syntax errors make it unusable. */
  value: unknown;
  /** True when the text parsed without errors (warnings allowed). */
  ok: boolean;
  diagnostics: Diagnostic[];
  locate(path: KeyPath): SourceLocation;
  locateKey(path: KeyPath): SourceLocation;
  /**
   * Location of the `occurrence`-th (0-based) appearance of `needle` inside the source text of the
   * scalar at `path`; falls back to the scalar's own location.
   */
  locateInScalar(path: KeyPath, needle: string, occurrence?: number): SourceLocation;
  /** Where compose's `!reset` / `!override` tags are written (key paths), in file order. */
  mergeTags?(): MergeTag[];
}

export interface MergeTag {
  tag: 'reset' | 'override';
  path: KeyPath;
}

function collectMergeTags(node: unknown, path: Array<string | number>): MergeTag[] {
  const out: MergeTag[] = [];
  if (!isNode(node) || isAlias(node)) return out;
  if (node.tag === '!reset' || node.tag === '!override') out.push({ tag: node.tag === '!reset' ? 'reset' : 'override', path: [...path] });
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if (typeof key === 'string' || typeof key === 'number') out.push(...collectMergeTags(pair.value, [...path, String(key)]));
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => out.push(...collectMergeTags(item, [...path, index])));
  }
  return out;
}

/**
 * Alias expansion is refused beyond this budget (billion-laughs protection): the yaml package counts
 * each alias's uses × the aliases inside its anchor. A flat file that uses its anchors in every
 * service grows that product with its length (a 10,000-service compose file with `<<: *defaults`
 * needs ~50,000), so the budget grows with the text: a bomb is small text with a huge product.
 */
const MAX_ALIAS_COUNT = 10_000;
const aliasBudget = (textLength: number): number => Math.max(MAX_ALIAS_COUNT, Math.floor(textLength / 8));
/** Collections nested deeper than this are refused before parsing (docs/security.md, input limits). */
export const MAX_NESTING_DEPTH = 200;
/** The resolved document may hold at most this many characters of strings (an anchor aliased thousands of times). */
export const MAX_RESOLVED_CHARS = 32 * 1024 * 1024;

/** Runs of more empty lines than this are shortened to one before parsing (the YAML parser spends ~4 µs a line). */
const MAX_BLANK_RUN = 64;

/**
 * The text with every run of more than MAX_BLANK_RUN empty lines shortened to one, and the map from an
 * offset in it back to the original. (Inside a block scalar such a run would shrink too; no stack file
 * has one.)
 */
function collapseBlankRuns(original: string): { text: string; toOriginal: (offset: number) => number } {
  const run = new RegExp(`(?:\\r?\\n){${MAX_BLANK_RUN + 1},}`, 'g');
  if (!run.test(original)) return { text: original, toOriginal: (offset) => offset };
  run.lastIndex = 0;
  // [offset in the shortened text, characters removed before it]
  const shifts: Array<[number, number]> = [];
  let removed = 0;
  const text = original.replace(run, (match: string, offset: number) => {
    const keep = match.startsWith('\r\n') ? 4 : 2; // the line break ending the line before, and one empty line
    removed += match.length - keep;
    shifts.push([offset - (removed - (match.length - keep)) + keep, removed]);
    return match.slice(0, keep);
  });
  return {
    text,
    toOriginal: (offset) => {
      let shift = 0;
      for (const [from, total] of shifts) {
        if (offset >= from) shift = total;
        else break;
      }
      return offset + shift;
    },
  };
}

/** Where the flow collections (`[`, `{`) of a text first nest deeper than `limit`, if they do. */
function flowTooDeep(text: string, limit: number): number | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = undefined;
      else if (ch === '\n' && depth === 0) quote = undefined;
      continue;
    }
    if (ch === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if ((ch === '"' || ch === "'") && (depth > 0 || i === 0 || /[\s:,\[{-]/.test(text[i - 1]!))) quote = ch;
    else if (ch === '[' || ch === '{') {
      if (++depth > limit) return i;
    } else if ((ch === ']' || ch === '}') && depth > 0) depth--;
    else if (ch === '\n' && depth === 0) quote = undefined;
  }
  return undefined;
}

/** Values a resolved document may hold, counting each alias's copy (docs/security.md, input limits). */
export const MAX_RESOLVED_VALUES = 2_000_000;

/**
 * Depth, total string length and value count of a resolved value, walked without recursion. An
 * aliased value is one shared object, but every later step (interpolation, export) writes it out once
 * per alias, so each alias counts. The walk stops as soon as a limit is passed.
 */
function measure(value: unknown): { depth: number; chars: number; values: number } {
  let depth = 0;
  let chars = 0;
  let values = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, level] = stack.pop()!;
    values++;
    if (typeof node === 'string') chars += node.length;
    else if (node !== null && typeof node === 'object') {
      depth = Math.max(depth, level);
      for (const item of Array.isArray(node) ? node : Object.values(node)) stack.push([item, level + 1]);
    }
    if (depth > MAX_NESTING_DEPTH || chars > MAX_RESOLVED_CHARS || values > MAX_RESOLVED_VALUES) break;
  }
  return { depth, chars, values };
}

function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

const DEPTH_HINT = `flatten the structure: stackctl reads at most ${MAX_NESTING_DEPTH} levels of nesting`;

export function parseYamlSource(original: string, file: string): YamlSource {
  // Offsets below are offsets in `text` (the original with long blank runs shortened); `at` maps them back.
  const { text, toOriginal } = collapseBlankRuns(original);
  const lineAt = lineIndex(original);
  const diagnostics: Diagnostic[] = [];
  const at = (offset: number): SourceLocation => {
    const position = toOriginal(Math.max(0, Math.min(offset, text.length)));
    return { file, ...lineAt(position) };
  };

  let doc: Document.Parsed | undefined;
  const tooDeep = flowTooDeep(text, MAX_NESTING_DEPTH);
  if (tooDeep !== undefined) {
    diagnostics.push(limitDiagnostic(at(tooDeep), `collections nest deeper than ${MAX_NESTING_DEPTH} levels here (the limit)`, DEPTH_HINT));
  } else {
    try {
      // uniqueKeys is checked below in O(keys): the yaml package's own check is quadratic per mapping.
      doc = parseDocument(text, { merge: true, logLevel: 'error', prettyErrors: false, uniqueKeys: false, keepSourceTokens: false });
    } catch (error) {
      // The yaml parser is robust; this is a last line of defence so no input ever escapes as a throw.
      diagnostics.push(
        isStackOverflow(error)
          ? limitDiagnostic({ file, line: 1, col: 1 }, 'the document nests too deeply to read', DEPTH_HINT)
          : yamlDiagnostic('error', { file, line: 1, col: 1 }, `cannot parse YAML: ${errorMessage(error)}`),
      );
    }
  }

  let value: unknown;
  if (doc) {
    for (const error of doc.errors) {
      if (/call stack/i.test(error.message)) {
        diagnostics.push(limitDiagnostic(at(error.pos[0]), 'the document nests too deeply to read', DEPTH_HINT));
        continue;
      }
      // An unterminated quote is reported at the end of the file; point at where the quote opens.
      // So is an unclosed `[`/`{` when nothing follows it; point at the bracket that opens it.
      const unclosedFlow = error.code === 'BAD_INDENT' && /end with a [\]}]/.test(error.message) ? unclosedFlowStart(text, error.pos[0]) : undefined;
      const offset = error.code === 'MISSING_CHAR' && /quote/.test(error.message) ? (unterminatedQuoteStart(text, error.pos[0]) ?? error.pos[0]) : (unclosedFlow ?? error.pos[0]);
      const message = cleanMessage(error.message) + (unclosedFlow !== undefined ? ` (the one opened here is never closed)` : '');
      diagnostics.push(yamlDiagnostic('error', at(offset), message, error.code));
    }
    for (const duplicate of duplicateKeys(doc)) {
      diagnostics.push(yamlDiagnostic('error', at(duplicate.offset), `Map keys must be unique: \`${duplicate.key}\` appears twice in this mapping`, 'DUPLICATE_KEY'));
    }
    for (const warning of doc.warnings) {
      // compose's merge tags (`!reset`, `!override`) are read by the compose loader (mergeTags).
      if (warning.code === 'TAG_RESOLVE_FAILED' && /Unresolved tag: !(reset|override)\b/.test(warning.message)) continue;
      diagnostics.push(yamlDiagnostic('warning', at(warning.pos[0]), cleanMessage(warning.message), warning.code));
    }
    if (!diagnostics.some((d) => d.severity === 'error')) {
      try {
        value = toJSWithKnownAliases(doc, aliasBudget(text.length));
        const size = measure(value);
        if (size.depth > MAX_NESTING_DEPTH) {
          value = undefined;
          diagnostics.push(limitDiagnostic({ file, line: 1, col: 1 }, `the document nests deeper than ${MAX_NESTING_DEPTH} levels (the limit)`, DEPTH_HINT));
        } else if (size.chars > MAX_RESOLVED_CHARS || size.values > MAX_RESOLVED_VALUES) {
          value = undefined;
          diagnostics.push(limitDiagnostic({ file, line: 1, col: 1 }, size.values > MAX_RESOLVED_VALUES ? `with its aliases resolved the document holds more than ${MAX_RESOLVED_VALUES} values (the limit)` : `with its aliases resolved the document holds more than ${MAX_RESOLVED_CHARS / 1024 / 1024} MiB of text (the limit)`, 'an anchor holding a large value is aliased too many times; alias smaller anchors'));
        }
      } catch (error) {
        diagnostics.push(
          isStackOverflow(error)
            ? limitDiagnostic({ file, line: 1, col: 1 }, 'the document nests too deeply to read', DEPTH_HINT)
            : yamlDiagnostic('error', { file, line: 1, col: 1 }, `cannot resolve YAML aliases: ${errorMessage(error)}`),
        );
      }
    }
  }
  diagnostics.splice(0, diagnostics.length, ...sortByLocation(diagnostics));
  const ok = !diagnostics.some((d) => d.severity === 'error');
  const fileStart: SourceLocation = { file, line: text.length > 0 ? 1 : 0, col: text.length > 0 ? 1 : 0 };

  const find = (path: KeyPath): { node?: YamlNode; key?: YamlNode; ancestor?: YamlNode; ancestorKey?: YamlNode } => {
    if (!doc) return {};
    let node: YamlNode | null | undefined = doc.contents ?? undefined;
    let key: YamlNode | undefined;
    let ancestor: YamlNode | undefined = node ?? undefined;
    let ancestorKey: YamlNode | undefined;
    for (const segment of path) {
      node = resolveAlias(doc, node);
      if (!node) return { ancestor, ancestorKey };
      ancestor = node;
      ancestorKey = key;
      if (isMap(node)) {
        const pair = findPair(doc, node.items as Pair[], segment, 0);
        if (!pair) return { ancestor, ancestorKey };
        key = isNode(pair.key) ? pair.key : undefined;
        node = isNode(pair.value) ? pair.value : undefined;
        if (!node) return { key, ancestor: key ?? ancestor, ancestorKey: key };
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        if (!isNode(item)) return { ancestor, ancestorKey };
        key = undefined;
        node = item;
      } else {
        return { ancestor, ancestorKey };
      }
    }
    return { node: node ?? undefined, key, ancestor, ancestorKey };
  };

  const nodeLocation = (node: YamlNode | undefined): SourceLocation | undefined =>
    node?.range ? at(node.range[0]) : undefined;

  const locate = (path: KeyPath): SourceLocation => {
    const found = find(path);
    return nodeLocation(found.node) ?? nodeLocation(found.key) ?? nodeLocation(found.ancestorKey) ?? nodeLocation(found.ancestor) ?? fileStart;
  };

  const locateKey = (path: KeyPath): SourceLocation => {
    const found = find(path);
    if (found.node || found.key) return nodeLocation(found.key) ?? nodeLocation(found.node) ?? fileStart;
    return nodeLocation(found.ancestorKey) ?? nodeLocation(found.ancestor) ?? fileStart;
  };

  const locateInScalar = (path: KeyPath, needle: string, occurrence = 0): SourceLocation => {
    const found = find(path);
    const node = doc ? resolveAlias(doc, found.node) : undefined;
    if (node && isScalar(node) && node.range && needle.length > 0) {
      const [start, , end] = node.range;
      let index = text.indexOf(needle, start);
      for (let n = 0; n < occurrence && index >= 0; n++) index = text.indexOf(needle, index + needle.length);
      if (index >= 0 && index < end) return at(index);
    }
    return locate(path);
  };

  let tags: MergeTag[] | undefined;
  const mergeTags = (): MergeTag[] => (tags ??= doc ? collectMergeTags(doc.contents, []) : []);

  return { file, text: original, value, ok, diagnostics, locate, locateKey, locateInScalar, mergeTags };
}

/** Reads and parses a file; a read failure is a FILE001 diagnostic, never a throw. */
export async function readYamlSource(file: string, env?: Readonly<Record<string, string | undefined>>): Promise<YamlSource> {
  const read = await readInputFile(file, env);
  if (!read.ok) {
    const source = parseYamlSource('', file);
    source.diagnostics.push({
      code: 'FILE001',
      severity: 'error',
      location: { file, line: 0, col: 0 },
      message: `cannot read ${file}: ${read.reason}`,
      hint: read.code === 'TOO_BIG' || read.code === 'NOT_REGULAR' ? 'give a stack file (stack.yaml or a compose file)' : 'check the path given with -f/--file, or run stackctl in the directory that holds stack.yaml',
    });
    source.ok = false;
    return source;
  }
  // Old Mac line endings (CR alone) are line breaks to every editor; the YAML parser sees one long line.
  const text = read.text.includes('\r') && !read.text.includes('\n') ? read.text.replace(/\r/g, '\n') : read.text;
  return parseYamlSource(text.startsWith('\uFEFF') ? text.slice(1) : text, file);
}

/** Second (and later) occurrences of a key in one mapping, with the offset of the repeated key. */
function duplicateKeys(doc: Document.Parsed): Array<{ key: string; offset: number }> {
  return walkDocument(doc).duplicates;
}

/**
 * One walk of the document for what stackctl reads of its nodes: repeated keys, and every alias →
 * its target (aliasTargets). One walk, not two: each walk of a 10,000-service document was ~3% of a plan.
 */
const walks = new WeakMap<Document.Parsed, { duplicates: Array<{ key: string; offset: number }>; targets: Map<YamlNode, YamlNode | undefined> }>();
function walkDocument(doc: Document.Parsed): { duplicates: Array<{ key: string; offset: number }>; targets: Map<YamlNode, YamlNode | undefined> } {
  let walk = walks.get(doc);
  if (walk) return walk;
  const duplicates: Array<{ key: string; offset: number }> = [];
  const targets = new Map<YamlNode, YamlNode | undefined>();
  const anchors = new Map<string, YamlNode>();
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) {
        targets.set(node, anchors.get(node.source));
        return;
      }
      if (node.anchor) anchors.set(node.anchor, node);
      if (!isMap(node)) return;
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : undefined;
        if (key === null || key === undefined || typeof key === 'object' || typeof key === 'symbol' || isMergeKey(key)) continue;
        const name = String(key);
        if (seen.has(name)) duplicates.push({ key: name, offset: (pair.key as YamlNode).range?.[0] ?? 0 });
        else seen.add(name);
      }
    },
  });
  walk = { duplicates, targets };
  walks.set(doc, walk);
  return walk;
}

/** Offset of the last quoted scalar before `end` that has no closing quote. */
function unterminatedQuoteStart(text: string, end: number): number | undefined {
  return lastCstOffset(text, end, (t) => {
    if ((t.type !== 'double-quoted-scalar' && t.type !== 'single-quoted-scalar') || typeof t.source !== 'string') return undefined;
    const quote = t.type === 'double-quoted-scalar' ? '"' : "'";
    return t.source.length >= 2 && t.source.endsWith(quote) ? undefined : t.offset;
  });
}

/** Offset of the last `[`/`{` before `end` whose flow collection has no closing bracket. */
function unclosedFlowStart(text: string, end: number): number | undefined {
  return lastCstOffset(text, end, (t) => {
    if (t.type !== 'flow-collection' || !t.start || !Array.isArray(t.end)) return undefined;
    const closer = t.start.source === '[' ? ']' : '}';
    return t.end.some((item: { source?: unknown }) => item.source === closer) ? undefined : t.start.offset;
  });
}

interface CstToken {
  type?: unknown;
  offset?: unknown;
  source?: unknown;
  start?: { offset?: unknown; source?: unknown };
  end?: unknown;
}

/** The greatest offset ≤ `end` that `pick` returns for a token of the file's concrete syntax tree. */
function lastCstOffset(text: string, end: number, pick: (token: CstToken) => unknown): number | undefined {
  let found: number | undefined;
  const visit = (token: unknown, depth: number): void => {
    if (depth > 200 || token === null || typeof token !== 'object') return;
    const offset = pick(token as CstToken);
    if (typeof offset === 'number' && offset <= end && (found === undefined || offset > found)) found = offset;
    for (const value of Object.values(token)) {
      if (Array.isArray(value)) for (const item of value) visit(item, depth + 1);
      else if (value && typeof value === 'object') visit(value, depth + 1);
    }
  };
  try {
    for (const token of new Parser().parse(text)) visit(token, 0);
  } catch {
    return undefined;
  }
  return found;
}

function isNode(value: unknown): value is YamlNode {
  return isScalar(value) || isMap(value) || isSeq(value) || isAlias(value);
}

function resolveAlias(doc: Document.Parsed, node: YamlNode | null | undefined, depth = 0): YamlNode | undefined {
  if (!node) return undefined;
  if (isAlias(node) && depth < 50) {
    const target = aliasTargets(doc).get(node);
    return isNode(target) ? resolveAlias(doc, target, depth + 1) : undefined;
  }
  return node;
}

/**
 * Every alias of a document → the node it names (the last anchor of that name before it, as YAML says),
 * found in one walk. The yaml package's `Alias.resolve(doc)` walks the whole document on every call;
 * locating keys through `<<: *anchor` in every service made that quadratic (28 s for 500 services).
 */
function aliasTargets(doc: Document.Parsed): Map<YamlNode, YamlNode | undefined> {
  return walkDocument(doc).targets;
}

/**
 * `doc.toJS()` without its quadratic alias lookup. The yaml package resolves every alias (and every
 * `<<: *anchor`) by scanning the document's list of anchors and aliases up to that alias: with an
 * anchor merged into each of 10,000 services that was 60 s of a 70 s `stackctl plan`. Each alias is
 * handed the one candidate aliasTargets() found for it, through the same `aliasResolveCache` the
 * package's own resolve reads, so its checks (the alias budget, unresolved aliases) run unchanged.
 * Should a later yaml version no longer read that cache, resolve scans as before: slower, still right.
 */
function toJSWithKnownAliases(doc: Document.Parsed, maxAliasCount: number): unknown {
  interface ResolveContext {
    aliasResolveCache?: unknown[];
  }
  for (const [alias, target] of aliasTargets(doc)) {
    if (!isAlias(alias)) continue;
    const resolve = alias.resolve;
    const candidates = target ? [target, alias] : [alias];
    alias.resolve = function (this: typeof alias, document: Parameters<typeof resolve>[0], ctx?: Parameters<typeof resolve>[1]) {
      // Without a context (the package's alias counting) the answer is the target itself.
      if (!ctx) return target as ReturnType<typeof resolve>;
      const scoped = ctx as ResolveContext;
      const saved = scoped.aliasResolveCache;
      scoped.aliasResolveCache = candidates;
      try {
        return resolve.call(this, document, ctx);
      } finally {
        scoped.aliasResolveCache = saved;
      }
    };
  }
  return doc.toJS({ maxAliasCount });
}

/** Per-map index of own keys → pair (built once per map, so locating is O(depth), not O(keys)). */
interface MapIndex {
  own: Map<string, Pair>;
  merges: Pair[];
  /** The maps the `<<` keys merge in, in order (resolved on first need: every service looks through them). */
  sources?: YamlNode[];
}
const mapIndexes = new WeakMap<object, MapIndex>();

function indexMap(items: Pair[]): MapIndex {
  let index = mapIndexes.get(items);
  if (index) return index;
  index = { own: new Map(), merges: [] };
  for (const pair of items) {
    if (!isPair(pair)) continue;
    const key = isScalar(pair.key) ? pair.key.value : pair.key;
    if (isMergeKey(key)) index.merges.push(pair);
    else if (key !== null && key !== undefined && typeof key !== 'object' && !index.own.has(String(key))) index.own.set(String(key), pair);
  }
  mapIndexes.set(items, index);
  return index;
}

/** Finds the pair for `segment` in a map, looking through `<<` merge keys (own keys win, as in YAML). */
function findPair(doc: Document.Parsed, items: Pair[], segment: string | number, depth: number): Pair | undefined {
  const index = indexMap(items);
  const own = index.own.get(String(segment));
  if (own) return own;
  if (depth > 20) return undefined;
  index.sources ??= index.merges.flatMap((merge) => {
    const value = resolveAlias(doc, isNode(merge.value) ? merge.value : undefined);
    const sources = value && isSeq(value) ? value.items.map((item) => resolveAlias(doc, isNode(item) ? item : undefined)) : [value];
    return sources.filter((source): source is YamlNode => source !== undefined && isMap(source));
  });
  for (const source of index.sources) {
    const pair = findPair(doc, (source as { items: Pair[] }).items, segment, depth + 1);
    if (pair) return pair;
  }
  return undefined;
}

function isMergeKey(key: unknown): boolean {
  return key === '<<' || (typeof key === 'symbol' && key.description === '<<');
}

function cleanMessage(message: string): string {
  // Without prettyErrors the yaml package still sometimes appends position text; keep one line.
  const first = message.split('\n')[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?$/, '').trim();
}

function limitDiagnostic(location: SourceLocation, message: string, hint: string): Diagnostic {
  return { code: 'LIMIT001', severity: 'error', location, message: `input limit: ${message}`, hint };
}

function yamlDiagnostic(severity: 'error' | 'warning', location: SourceLocation, message: string, code?: string): Diagnostic {
  return {
    code: severity === 'error' ? 'YAML001' : 'YAML002',
    severity,
    location,
    message: severity === 'error' ? `YAML syntax error: ${message}` : `YAML: ${message}`,
    hint: /quote/.test(message) ? 'close the quoted string on the line where it opens (or escape a quote inside it: \\" in "…", \'\' in \'…\')' : yamlHint(code),
  };
}

function yamlHint(code: string | undefined): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'a key appears twice in the same mapping; remove or rename one of them';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
    case 'UNEXPECTED_TOKEN':
      return 'check the indentation (spaces, not tabs) and that every `key: value` has a space after the colon';
    case 'TAB_AS_INDENT':
      return 'YAML indentation must use spaces, not tabs';
    case 'MULTIPLE_DOCS':
      return 'a stack file holds one YAML document; remove the extra `---` separators';
    case 'BAD_ALIAS':
      return 'an alias (*name) must refer to an anchor (&name) defined earlier in the file';
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return 'a key must fit on one line; quote values containing `: ` or `#`';
    default:
      return 'fix the YAML syntax at this position; quote strings containing `:`, `#`, `{`, `[` or leading `*`/`&`';
  }
}
