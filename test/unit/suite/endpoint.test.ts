/** The tcp, postgres and redis checks render their host and port the same way (checks/tcp.ts renderEndpoint). */
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../../src/secrets.js';
import { RunContext } from '../../../src/suite/context.js';
import { renderEndpoint } from '../../../src/suite/checks/tcp.js';

const ctx = new RunContext({
  signal: new AbortController().signal,
  env: { DB_PORT: '5432', BAD_PORT: '54x32', HIGH_PORT: '65536' },
  runId: 'r1',
  random: 'x',
  endpoints: new Map(),
  redactor: new Redactor(),
  scratchDir: '/nonexistent',
  launchBrowser: () => Promise.reject(new Error('no browser here')),
});

describe('renderEndpoint', () => {
  it('renders the host and port templates', () => {
    expect(renderEndpoint({ host: '127.0.0.1', port: '${DB_PORT}' }, ctx)).toEqual({ host: '127.0.0.1', port: 5432 });
  });

  it.each([['${BAD_PORT}', '54x32'], ['${HIGH_PORT}', '65536'], ['0', '0']])('fails the check when %s renders to %s, not a port', (template, shown) => {
    expect(renderEndpoint({ host: 'db', port: template }, ctx)).toEqual({ failed: { status: 'failed', message: `"${shown}" is not a port number` } });
  });
});
