import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor } from '../../src/secrets.js';

describe('Redactor', () => {
  it('replaces every occurrence of every secret, longest first', () => {
    const redactor = new Redactor(['s3cret', 's3cret-and-more']);
    expect(redactor.redact('a=s3cret b=s3cret-and-more')).toBe(`a=${REDACTED} b=${REDACTED}`);
  });

  it('redacts the URL-encoded form of a secret inside connection URLs', () => {
    const redactor = new Redactor(['p@ss/word']);
    expect(redactor.redact('postgresql://u:p%40ss%2Fword@db/x')).toBe(`postgresql://u:${REDACTED}@db/x`);
  });

  it('ignores values too short to redact safely', () => {
    const redactor = new Redactor(['1', '', 'ab']);
    expect(redactor.size).toBe(0);
    expect(redactor.redact('port 1 ab')).toBe('port 1 ab');
  });

  it('redacts nested values without touching the original', () => {
    const redactor = new Redactor(['topsecret']);
    const input = { env: { KEY: 'topsecret' }, list: ['x topsecret'], n: 3 };
    expect(redactor.redactValue(input)).toEqual({ env: { KEY: REDACTED }, list: [`x ${REDACTED}`], n: 3 });
    expect(input.env.KEY).toBe('topsecret');
  });
});
