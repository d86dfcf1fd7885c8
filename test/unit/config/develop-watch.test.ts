import { describe, expect, it } from 'vitest';
import { parseDevelopWatch } from '../../../src/config/develop-watch.js';

const locate = (at: Array<string | number>) => ({ file: '/p/stack.yaml', line: 10 + at.length, col: 1 });

describe('develop.watch', () => {
  it('resolves paths against the file and keeps action, target and ignore', () => {
    const { rules, problems } = parseDevelopWatch(
      { watch: [{ path: './src', action: 'sync+restart', target: '/app', ignore: ['*.pyc'] }, { path: 'requirements.txt', action: 'rebuild' }] },
      '/p',
      locate,
    );
    expect(problems).toEqual([]);
    expect(rules.map(({ location: _l, ...rule }) => rule)).toEqual([
      { path: '/p/src', action: 'sync+restart', target: '/app', ignore: ['*.pyc'] },
      { path: '/p/requirements.txt', action: 'rebuild', ignore: [] },
    ]);
  });

  it('says what is wrong with each bad rule, where, and what to write', () => {
    const { rules, problems } = parseDevelopWatch(
      { watch: [{ path: './src', action: 'sync' }, { action: 'rebuild' }, { path: 'x', action: 'copy' }, { path: 'y', action: 'rebuild', ignore: 'a' }, { path: 'z', action: 'rebuild', tagret: '/x' }] },
      '/p',
      locate,
    );
    expect(rules.map((r) => r.path)).toEqual(['/p/z']);
    expect(problems.map((p) => `${p.at.join('.')}: ${p.message}`)).toEqual([
      'watch.0.target: `sync` needs `target`, an absolute path in the container',
      'watch.1.path: a watch rule needs `path`',
      'watch.2.action: `action` must be one of sync, sync+restart, rebuild',
      'watch.3.ignore: expected a list of patterns',
      'watch.4.tagret: unknown key `tagret` in a watch rule',
    ]);
  });
});
