import { describe, expect, it } from 'vitest';
import { configHash } from '../../../src/plan/config-hash.js';
import type { Service } from '../../../src/config/model.js';
import { makeStack } from '../../support/stack-builder.js';

const loc = { file: 'stack.yaml', line: 3, col: 5 };

function hashOf(edit: (service: Service) => void, imageId = 'sha256:1'): string {
  const stack = makeStack('demo', {
    api: {
      command: ['serve'],
      environment: { A: '1', B: '2' },
      ports: [{ target: 80, published: 8080, protocol: 'tcp', location: loc }],
      dependsOn: ['db'],
      probe: { kind: 'http', port: 80, path: '/ready', method: 'GET', headers: {}, status: { min: 200, max: 299 } },
    },
    db: {},
  });
  edit(stack.services[0]!);
  return configHash(stack, stack.services[0]!, imageId);
}

describe('configHash', () => {
  const base = hashOf(() => {});

  it('is stable under what does not change the container', () => {
    expect(hashOf((s) => (s.environment = { B: '2', A: '1' }))).toBe(base);
    expect(hashOf((s) => (s.dependsOn = []))).toBe(base);
    expect(hashOf((s) => (s.readiness!.timeoutMs = 1))).toBe(base);
    expect(hashOf((s) => (s.startTimeoutMs = 5))).toBe(base);
    expect(hashOf((s) => (s.secrets = ['A']))).toBe(base);
    expect(hashOf((s) => (s.location = { file: 'other.yaml', line: 9, col: 9 }))).toBe(base);
    expect(hashOf((s) => (s.readiness!.probe = { kind: 'tcp', port: 80 }))).toBe(base);
  });

  it('changes with what does', () => {
    const changed = [
      hashOf(() => {}, 'sha256:2'),
      hashOf((s) => (s.command = ['serve', '--debug'])),
      hashOf((s) => (s.entrypoint = ['/init'])),
      hashOf((s) => (s.environment.A = '3')),
      hashOf((s) => (s.ports[0]!.published = 8081)),
      hashOf((s) => s.volumes.push({ type: 'volume', source: 'data', target: '/data', readOnly: false, location: loc })),
      hashOf((s) => s.networks.push({ name: 'back', aliases: ['x'], location: loc })),
      hashOf((s) => (s.restart = { name: 'always' })),
      // A probe on an unpublished port needs an extra (loopback) published port.
      hashOf((s) => (s.readiness!.probe = { kind: 'tcp', port: 81 })),
    ];
    for (const hash of changed) expect(hash).not.toBe(base);
    expect(new Set(changed).size).toBe(changed.length);
  });
});
