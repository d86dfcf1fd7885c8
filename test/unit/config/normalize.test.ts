import { describe, expect, it } from 'vitest';
import { didYouMean, parseDuration, parsePortLong, parsePortShort, parseRestart, parseVolumeLong, parseVolumeShort, shellSplit } from '../../../src/config/normalize.js';

const at = { file: 'f', line: 1, col: 1 };

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['2h', 7_200_000],
    [45, 45_000],
    ['10', 10_000],
  ])('%s → %i ms', (input, ms) => expect(parseDuration(input)).toEqual({ ok: true, value: ms }));
  it.each(['', 'soon', '10 s', '5d', -1, '1m30'])('%s is refused', (input) => expect(parseDuration(input).ok).toBe(false));
});

describe('ports', () => {
  it('parses the short syntax', () => {
    expect(parsePortShort('8080:80', at)).toEqual({ ok: true, value: [{ target: 80, published: 8080, protocol: 'tcp', location: at }] });
    expect(parsePortShort('127.0.0.1:5432:5432', at)).toMatchObject({ ok: true, value: [{ hostIp: '127.0.0.1', published: 5432, target: 5432 }] });
    expect(parsePortShort('127.0.0.1::80', at)).toMatchObject({ ok: true, value: [{ hostIp: '127.0.0.1', target: 80 }] });
    expect(parsePortShort('[::1]:8080:80/udp', at)).toMatchObject({ ok: true, value: [{ hostIp: '::1', published: 8080, target: 80, protocol: 'udp' }] });
    expect(parsePortShort('3000', at)).toMatchObject({ ok: true, value: [{ target: 3000 }] });
    expect(parsePortShort(3000, at)).toMatchObject({ ok: true, value: [{ target: 3000 }] });
    const range = parsePortShort('9000-9002:8000-8002', at);
    expect(range.ok && range.value.map((p) => [p.published, p.target])).toEqual([[9000, 8000], [9001, 8001], [9002, 8002]]);
  });
  it.each(['80:80:80:80', 'x:80', '70000', '80/sctp', '8080:9000-9002', ''])('refuses %s', (input) => expect(parsePortShort(input, at).ok).toBe(false));
  it('parses the long syntax', () => {
    expect(parsePortLong({ target: 80, published: '8080', host_ip: '0.0.0.0' }, at)).toMatchObject({ ok: true, value: [{ target: 80, published: 8080, hostIp: '0.0.0.0' }] });
    expect(parsePortLong({ target: 'x' }, at).ok).toBe(false);
  });
});

describe('parseVolumeShort', () => {
  it('tells named volumes, bind mounts and anonymous volumes apart', () => {
    expect(parseVolumeShort('data:/var/lib/data', '/s', at)).toMatchObject({ ok: true, value: { type: 'volume', source: 'data', target: '/var/lib/data', readOnly: false } });
    expect(parseVolumeShort('./init:/docker-entrypoint-initdb.d:ro', '/s', at)).toMatchObject({ ok: true, value: { type: 'bind', source: '/s/init', readOnly: true } });
    expect(parseVolumeShort('/app/node_modules', '/s', at)).toMatchObject({ ok: true, value: { type: 'volume', target: '/app/node_modules' } });
  });
  it('keeps the mode flags besides ro/rw, and adds none to a mount without them', () => {
    const flagged = parseVolumeShort('./conf:/etc/conf:ro,z,rslave', '/s', at);
    expect(flagged).toMatchObject({ ok: true, value: { readOnly: true, options: ['z', 'rslave'] } });
    const plain = parseVolumeShort('./conf:/etc/conf:rw', '/s', at);
    expect(plain.ok && 'options' in plain.value).toBe(false);
    const long = parseVolumeLong({ type: 'bind', source: '/', target: '/host', read_only: true, bind: { propagation: 'rslave', selinux: 'Z' } }, '/s', at);
    expect(long).toMatchObject({ ok: true, value: { readOnly: true, options: ['Z', 'rslave'] } });
    expect(parseVolumeLong({ source: 'cache', target: '/cache', volume: { nocopy: true } }, '/s', at)).toMatchObject({ ok: true, value: { options: ['nocopy'] } });
  });
  it.each(['data:relative', 'a:/b:bogus', '::'])('refuses %s', (input) => expect(parseVolumeShort(input, '/s', at).ok).toBe(false));
});

describe('shellSplit, parseRestart, didYouMean', () => {
  it('splits like a shell', () => {
    expect(shellSplit(`redis-server --requirepass "a b" 'c d' e\\ f`)).toEqual({ ok: true, value: ['redis-server', '--requirepass', 'a b', 'c d', 'e f'] });
    expect(shellSplit('echo ""')).toEqual({ ok: true, value: ['echo', ''] });
    expect(shellSplit('echo "open').ok).toBe(false);
  });
  it('parses restart policies', () => {
    expect(parseRestart('on-failure:3')).toEqual({ ok: true, value: { name: 'on-failure', maxRetries: 3 } });
    expect(parseRestart('unless-stopped')).toEqual({ ok: true, value: { name: 'unless-stopped' } });
    expect(parseRestart(false)).toEqual({ ok: true, value: { name: 'no' } });
    expect(parseRestart('always:3').ok).toBe(false);
  });
  it('suggests close names only', () => {
    expect(didYouMean('readyness', ['readiness', 'restart'])).toBe('readiness');
    expect(didYouMean('postgress', ['postgres', 'redis'])).toBe('postgres');
    expect(didYouMean('xyz', ['postgres', 'redis'])).toBeUndefined();
  });
});
