/**
 * The architecture as rules (docs/architecture.md): the rooms of src/ in layers, each importing only
 * its own layer or the ones below it, never one above; no import cycles; only the Docker driver
 * (src/runtime/docker/) imports dockerode. `npm run check:deps` (part of `make test`) fails on any violation that is not
 * listed in KNOWN below — a known violation carries the reason it is still there and goes away
 * with the move that fixes it.
 */
const LAYERS = [
  ['cli', 'api'],
  ['daemon', 'watch', 'doctor', 'ci', 'ephemeral'],
  ['suite'],
  ['report'],
  ['engine', 'swarm', 'k8s'],
  ['plan', 'probes', 'diagnose', 'validate'],
  ['runtime', 'graph'],
  ['load'],
  ['compose'],
  ['config', 'dockerfile', 'host'],
  // shared types and helpers: src/errors.ts, src/secrets.ts, src/log.ts, src/package-root.ts
];

const rooms = LAYERS.flat();
const layerOf = (room) => LAYERS.findIndex((layer) => layer.includes(room));
const above = (room) => rooms.filter((other) => layerOf(other) < layerOf(room));
const dir = (names) => `^src/(${names.join('|')})/`;

// Known violations, each with why it is still there: the rule named does not apply to these
// imports. Remove an entry when the move that fixes it lands; `npm run check:deps` then keeps it fixed.
const KNOWN = [
  // none left: the Diagnostic type, config/load.ts and the ps/daemon-command cycle were the last ones
];

const asList = (pattern) => (pattern === undefined ? [] : [pattern].flat());

/** The rule without its known violations: the rule minus their `from`, plus one rule per entry minus its `to`. */
function withKnown(rule) {
  const known = KNOWN.filter((k) => k.rule === rule.name);
  if (known.length === 0) return [rule];
  return [
    { ...rule, from: { ...rule.from, pathNot: [...asList(rule.from.pathNot), ...known.map((k) => k.from)] } },
    ...known.map((k) => ({
      ...rule,
      comment: `${rule.comment} (known: ${k.reason})`,
      from: { ...rule.from, path: k.from },
      to: { ...rule.to, pathNot: [...asList(rule.to.pathNot), k.to] },
    })),
  ];
}

const layerRules = rooms
  .filter((room) => above(room).length > 0)
  .map((room) => ({
    name: `layer-${room}`,
    comment: `${room}/ must not import ${above(room).join(', ')} (a layer above it)`,
    severity: 'error',
    from: { path: `^src/${room}/` },
    to: { path: dir(above(room)) },
  }));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'room-in-a-layer',
      comment: 'every room of src/ has its place in LAYERS (a new room is placed there, and in docs/architecture.md)',
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: dir(rooms) },
      to: {},
    },
    {
      name: 'shared-imports-no-room',
      comment: 'the shared files at src/ (errors, secrets, log, package-root) sit below every room',
      severity: 'error',
      from: { path: '^src/[^/]+\\.ts$' },
      to: { path: dir(rooms) },
    },
    {
      name: 'no-circular',
      comment: 'an import cycle makes both ends one module in disguise',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'dockerode-only-in-the-driver',
      comment: 'only the Docker driver (src/runtime/docker/, behind the facade docker-runtime.ts) talks to dockerode (the runtime interface hides it)',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/runtime/docker/' },
      to: { path: 'node_modules/(@types/)?(dockerode|docker-modem)/' },
    },
  ].flatMap(withKnown),
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // node_modules stays in the graph (as leaves: doNotFollow) so the dockerode rule can see imports of it.
    exclude: { path: '^dist/' },
  },
};
