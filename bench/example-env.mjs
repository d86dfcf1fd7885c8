/**
 * The environment a benchmark runs the example stack with: fresh random secrets (never the
 * checkout's .env), no colour, and none of the checkout's pinned ports or project name, so the
 * engine chooses every host port and the copy never collides with a running stack.
 */
import { randomBytes } from 'node:crypto';

export function exampleEnv() {
  const secrets = {
    POSTGRES_USER: 'pyairtable',
    POSTGRES_DB: 'pyairtable',
    POSTGRES_PASSWORD: randomBytes(16).toString('hex'),
    REDIS_PASSWORD: randomBytes(16).toString('hex'),
    API_KEY: randomBytes(16).toString('hex'),
    JWT_SECRET: randomBytes(16).toString('hex'),
  };
  const env = { ...process.env, ...secrets, NO_COLOR: '1' };
  for (const name of Object.keys(env)) if (/_PORT$/.test(name) || name === 'STACKCTL_PROJECT_NAME') delete env[name];
  return { secrets, env };
}
