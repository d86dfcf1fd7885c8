/**
 * The stand-ins dockerode and docker-modem get for ssh2 and grpc: nothing loads until used, and what
 * is used is the real module.
 */
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deferDockerodeExtras } from '../../../src/runtime/defer-dockerode-extras.js';

type Parent = { filename: string; paths: string[] };
type Load = (request: string, parent: Parent, isMain: boolean) => Record<string, unknown>;
const internals = Module as unknown as { _load: Load; _nodeModulePaths: (dir: string) => string[] };
deferDockerodeExtras();
const load: Load = (request, parent, isMain) => internals._load.call(Module, request, parent, isMain);
const require = createRequire(import.meta.url);
/** A module of `pkg` as the requiring parent (resolution follows its node_modules paths). */
const parentAt = (filename: string): Parent => ({ filename, paths: internals._nodeModulePaths(path.dirname(filename)) });
const inside = (pkg: string): Parent => parentAt(path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'lib', 'x.js'));
const loaded = (name: string): boolean => Object.keys(require.cache).some((file) => file.includes(`${path.sep}node_modules${path.sep}${name}${path.sep}`));

describe('deferDockerodeExtras', () => {
  it('gives docker-modem an ssh2 whose Client loads ssh2 only when constructed, as the real Client', () => {
    const ssh2 = load('ssh2', inside('docker-modem'), false);
    const Client = ssh2.Client as new () => object;
    expect(loaded('ssh2')).toBe(false);
    const client = new Client();
    expect(loaded('ssh2')).toBe(true);
    expect(client).toBeInstanceOf((require('ssh2') as { Client: new () => object }).Client);
  });

  it('gives dockerode a grpc that loads on first use and is the real module\'s API', () => {
    const grpc = load('@grpc/grpc-js', inside('dockerode'), false);
    expect(loaded('@grpc/grpc-js')).toBe(false);
    expect(grpc.Server).toBe((require('@grpc/grpc-js') as Record<string, unknown>).Server);
    expect(loaded('@grpc/grpc-js')).toBe(true);
  });

  it('leaves every other require alone', () => {
    const direct = load('@grpc/proto-loader', parentAt(path.join(process.cwd(), 'src', 'x.js')), false);
    expect(direct).toBe(require('@grpc/proto-loader'));
  });
});
