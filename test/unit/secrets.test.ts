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

describe('Redactor: changed copies, shapes and identifiers', () => {
  const long = 'c0ffee1234567890deadbeefcafe0123456789abcdef0042';

  it('redacts any 12-character fragment of a secret, in any letter case', () => {
    const redactor = new Redactor([long]);
    expect(redactor.redact(`value "${long.slice(0, 37)}…"`)).toBe(`value "${REDACTED}…"`);
    expect(redactor.redact(`host ${long.slice(5, 30).toUpperCase()}.local`)).toBe(`host ${REDACTED}.local`);
    expect(redactor.redact(`short ${long.slice(0, 11)} stays`)).toBe(`short ${long.slice(0, 11)} stays`);
    expect(redactor.holdsSecret(long.slice(10, 22))).toBe(true);
  });

  it('redacts URL passwords, secret-named assignments and PEM keys whoever holds them', () => {
    const redactor = new Redactor();
    expect(redactor.redact('postgres://app:pa55word@db:5432/x')).toBe(`postgres://app:${REDACTED}@db:5432/x`);
    expect(redactor.redact('postgres://app:${PG_PASSWORD}@db')).toBe('postgres://app:${PG_PASSWORD}@db');
    expect(redactor.redact('env AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI DEBUG=true')).toBe(`env AWS_SECRET_ACCESS_KEY=${REDACTED} DEBUG=true`);
    expect(redactor.redact('{"DB_PASS": "hunter2", "HOST": "db"}')).toBe(`{"DB_PASS": "${REDACTED}", "HOST": "db"}`);
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----';
    expect(redactor.redact(`key: ${pem}`)).toBe(`key: -----BEGIN RSA PRIVATE KEY-----${REDACTED}-----END RSA PRIVATE KEY-----`);
  });

  it('never masks a kept identifier that a secret equals, but masks the secret as a value', () => {
    const redactor = new Redactor(['app'], { keep: ['app'] });
    expect(redactor.redact('service app: POSTGRES_PASSWORD=app')).toBe(`service app: POSTGRES_PASSWORD=${REDACTED}`);
    expect(redactor.redactValue({ services: { app: { environment: { POSTGRES_PASSWORD: 'app' } } } })).toEqual({
      services: { app: { environment: { POSTGRES_PASSWORD: REDACTED } } },
    });
  });

  it('replaces a short secret only where it stands as a word', () => {
    const redactor = new Redactor(['app']);
    expect(redactor.redact('application app-1 my_app')).toBe(`application ${REDACTED}-1 my_app`);
  });
});
