import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../src/diagnostic.js';
import { mergeSharedCauses } from '../../../src/validate/validate.js';

const at = (line: number) => ({ file: '/x/docker-compose.yml', line, col: 5 });
const finding = (service: string, message: string, line = 12): Diagnostic => ({ code: 'COMPOSE108', severity: 'warning', service, location: at(line), message, hint: 'h' });

describe('mergeSharedCauses', () => {
  it('reports a finding of an anchor merged into thousands of services once, naming them', () => {
    const names = Array.from({ length: 5000 }, (_, i) => `worker-${i}`);
    const merged = mergeSharedCauses(
      { services: names.map((name) => ({ name })) as never },
      names.map((name) => finding(name, `${name}'s healthcheck always succeeds, so it proves nothing.`)),
    );
    expect(merged).toHaveLength(1);
    expect(merged[0]!.message).toMatch(/^worker-0's healthcheck .* shared by 5000 services \(worker-0, worker-1, .*, …\)$/);
    expect(merged[0]!.occurrences).toHaveLength(5000);
  });

  it('merges only findings that differ by service names alone, at the same place', () => {
    const services = { services: ['web', 'api', 'db'].map((name) => ({ name })) } as never;
    const merged = mergeSharedCauses(services, [
      finding('web', 'web depends on db.'),
      finding('api', 'api depends on db.'),
      finding('db', 'db depends on nothing at all'),
      finding('api', 'api depends on web.', 30),
    ]);
    expect(merged.map((d) => d.message)).toEqual([
      'web depends on db. — the same line is shared by 2 services (web, api)',
      'db depends on nothing at all',
      'api depends on web.',
    ]);
  });
});
