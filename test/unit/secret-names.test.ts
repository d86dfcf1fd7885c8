import { describe, expect, it } from 'vitest';
import { isSecretName, parseSecretNamePolicy } from '../../src/secret-names.js';

describe('isSecretName', () => {
  it.each([
    'POSTGRES_PASSWORD', 'PGPASSWORD', 'AWS_SECRET_ACCESS_KEY', 'ENCRYPTION_KEY', 'STRIPE_KEY', 'SECRET_KEY_BASE', 'SESSION_SECRET_V2',
    'DB_PASS', 'PASSWORD_PEPPER', 'JWT_PRIVATE_KEY', 'GOOGLE_APPLICATION_CREDENTIALS', 'API_KEY', 'apiKey', 'dbPassword', 'GITHUB_TOKEN',
    'API_KEY_V2', 'BASIC_AUTH', 'MYSQL_ROOT_PWD',
  ])('%s is secret', (name) => expect(isSecretName(name)).toBe(true));

  it.each([
    'POSTGRES_USER', 'POSTGRES_PASSWORD_FILE', 'AWS_ACCESS_KEY_ID', 'STRIPE_PUBLISHABLE_KEY', 'PUBLIC_KEY', 'CACHE_KEY', 'TOKEN_TTL',
    'PASSWORD_MIN_LENGTH', 'DATABASE_URL', 'PORT', 'KEYCLOAK_URL', 'PASSENGER_COUNT', 'TOKENIZER_MODEL',
  ])('%s is not secret', (name) => expect(isSecretName(name)).toBe(false));

  it('follows the stack’s own add and exempt lists (names and globs)', () => {
    const policy = parseSecretNamePolicy({ secret_names: { add: ['*_SIGNING_SALT', 'LICENSE'], exempt: ['CACHE_TOKEN'] } })!;
    expect(isSecretName('APP_SIGNING_SALT', policy)).toBe(true);
    expect(isSecretName('LICENSE', policy)).toBe(true);
    expect(isSecretName('CACHE_TOKEN', policy)).toBe(false);
    expect(parseSecretNamePolicy({ 'x-stackctl': { secret_names: { add: ['X'] } } })).toEqual({ add: ['X'], exempt: [] });
  });
});
