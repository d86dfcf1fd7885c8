import { describe, expect, it } from 'vitest';
import { engineEndpoint } from '../../../src/runtime/docker-runtime.js';

describe('engineEndpoint', () => {
  it('names the socket, never the source of docker-modem\'s default-socket function', () => {
    const defaultSocket = function pickSocket(): Promise<string> {
      return Promise.resolve('/var/run/docker.sock');
    };
    const refused = Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT', address: '/var/run/docker.sock' });
    expect(engineEndpoint({ socketPath: defaultSocket }, refused)).toBe('unix:///var/run/docker.sock');
    expect(engineEndpoint({ socketPath: defaultSocket }, new Error('other'))).toBe('the default Docker socket');
    expect(engineEndpoint({ socketPath: '/run/user/1000/docker.sock' })).toBe('unix:///run/user/1000/docker.sock');
    expect(engineEndpoint({ host: '127.0.0.1', port: 2375, protocol: 'http' })).toBe('http://127.0.0.1:2375');
  });
});

describe('engineEndpoint for a TCP or ssh engine', () => {
  it('names the host, not the address the refused connection carries', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', address: '127.0.0.1' });
    expect(engineEndpoint({ host: '127.0.0.1', port: '1', protocol: 'ssh' }, refused)).toBe('ssh://127.0.0.1:1');
  });
});
