import { describe, expect, it } from 'vitest';
import type { WatchRule } from '../../../src/config/model.js';
import { ContextFilter, parseDockerignore } from '../../../src/runtime/build-context.js';
import { planChanges, type Matchers } from '../../../src/watch/change-plan.js';
import type { ServiceRules } from '../../../src/watch/rules.js';

const at = { file: '/p/stack.yaml', line: 1, col: 1 };
const rule = (path: string, action: WatchRule['action'], extra: Partial<WatchRule> = {}): WatchRule => ({ path, action, ignore: [], location: at, ...extra });

const services: ServiceRules[] = [
  {
    service: 'api',
    context: '/p/api',
    implicit: false,
    rules: [rule('/p/api/src', 'sync', { target: '/app/src', ignore: ['*.tmp'] }), rule('/p/api/requirements.txt', 'rebuild'), rule('/p/api/conf', 'sync+restart', { target: '/etc/api' })],
  },
  { service: 'web', context: '/p/web', implicit: true, rules: [rule('/p/web', 'rebuild')] },
];

const matchers = (dockerignore: Record<string, string> = {}): Matchers => ({
  forRule: (r) => {
    const filter = new ContextFilter(parseDockerignore(r.ignore.join('\n')));
    return (rel) => filter.excludes(rel);
  },
  forContext: (context) => {
    const text = dockerignore[context];
    if (text === undefined) return undefined;
    const filter = new ContextFilter(parseDockerignore(text));
    return (rel) => filter.excludes(rel);
  },
});

describe('planChanges', () => {
  it('syncs a changed file to the same relative path under the target, and removes a deleted one', () => {
    const changes = planChanges(services, [{ path: '/p/api/src/app/main.py', exists: true }, { path: '/p/api/src/old.py', exists: false }], matchers());
    expect(changes).toEqual([
      {
        service: 'api',
        action: 'sync',
        files: ['app/main.py', 'old.py'],
        syncs: [{ hostDir: '/p/api/src', containerDir: '/app/src', entries: ['app/main.py'] }],
        deletions: ['/app/src/old.py'],
      },
    ]);
  });

  it('the strongest action of the matching rules wins: rebuild over sync+restart over sync', () => {
    const changes = planChanges(services, [
      { path: '/p/api/src/a.py', exists: true },
      { path: '/p/api/conf/api.ini', exists: true },
    ], matchers());
    expect(changes.map((c) => `${c.service}:${c.action}`)).toEqual(['api:sync+restart']);
    const withRebuild = planChanges(services, [{ path: '/p/api/conf/api.ini', exists: true }, { path: '/p/api/requirements.txt', exists: true }], matchers());
    expect(withRebuild.map((c) => `${c.service}:${c.action}:${c.files.join(',')}`)).toEqual(['api:rebuild:requirements.txt,api.ini']);
  });

  it("leaves out what a rule's ignore or the context's .dockerignore excludes, and what no rule covers", () => {
    const changes = planChanges(
      services,
      [
        { path: '/p/api/src/x.tmp', exists: true },
        { path: '/p/web/node_modules/left-pad/index.js', exists: true },
        { path: '/p/README.md', exists: true },
        { path: '/p/api/Dockerfile', exists: true },
      ],
      matchers({ '/p/web': 'node_modules\n' }),
    );
    expect(changes).toEqual([]);
  });

  it('a path equal to a file rule counts for it', () => {
    const changes = planChanges(services, [{ path: '/p/api/requirements.txt', exists: true }], matchers());
    expect(changes).toMatchObject([{ service: 'api', action: 'rebuild', files: ['requirements.txt'], syncs: [] }]);
  });

  it('changes under two services give one change each', () => {
    const changes = planChanges(services, [{ path: '/p/web/index.html', exists: true }, { path: '/p/api/src/a.py', exists: true }], matchers());
    expect(changes.map((c) => `${c.service}:${c.action}`)).toEqual(['api:sync', 'web:rebuild']);
  });
});
