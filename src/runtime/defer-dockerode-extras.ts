/**
 * dockerode requires, as it loads, modules stackctl never uses on its usual path: `ssh2` (docker-modem,
 * for `ssh://` engine hosts) and `@grpc/grpc-js` + `@grpc/proto-loader` (dockerode, for BuildKit
 * sessions). They take ~100–150 ms of every engine command's start-up, most of a no-op `up`'s
 * overhead (BENCHMARKS.md). This hands dockerode's own modules stand-ins that load the real module
 * the first time it is actually used, so an `ssh://` DOCKER_HOST or a BuildKit session still works.
 *
 * It only applies to requires made from inside dockerode and docker-modem; everything else loads
 * as usual. docker/client.ts calls it before it requires dockerode.
 */
import Module from 'node:module';
import path from 'node:path';

type Load = (request: string, parent: { filename?: string | null } | null | undefined, isMain: boolean) => unknown;

const DEFERRED = new Set(['ssh2', '@grpc/grpc-js', '@grpc/proto-loader']);
const OWNERS = [`${path.sep}node_modules${path.sep}dockerode${path.sep}`, `${path.sep}node_modules${path.sep}docker-modem${path.sep}`];

let installed = false;

export function deferDockerodeExtras(): void {
  if (installed) return;
  installed = true;
  const loader = Module as unknown as { _load: Load };
  const original = loader._load;
  loader._load = function load(request, parent, isMain) {
    const from = parent?.filename ?? '';
    if (!DEFERRED.has(request) || !OWNERS.some((owner) => from.includes(owner))) return original.call(this, request, parent, isMain);
    let real: Record<string | symbol, unknown> | undefined;
    const resolve = (): Record<string | symbol, unknown> => (real ??= original.call(this, request, parent, isMain) as Record<string | symbol, unknown>);
    return new Proxy(
      {},
      {
        get: (_target, property) => {
          // docker-modem reads `require('ssh2').Client` as it loads and only calls `new Client()`
          // for an ssh:// host: hand it a constructor that loads ssh2 then.
          if (request === 'ssh2' && property === 'Client' && real === undefined) {
            return function Client(...args: unknown[]): unknown {
              const Real = resolve().Client as new (...a: unknown[]) => unknown;
              return new Real(...args);
            };
          }
          return resolve()[property];
        },
        has: (_target, property) => property in resolve(),
        ownKeys: () => Reflect.ownKeys(resolve()),
        getOwnPropertyDescriptor: (_target, property) => {
          const descriptor = Reflect.getOwnPropertyDescriptor(resolve(), property);
          return descriptor ? { ...descriptor, configurable: true } : undefined;
        },
      },
    );
  };
}
