/**
 * Writes a compose file with N services in the style of large real projects (a self-hosted error
 * tracker's 57-service file): `x-` blocks with anchors, `<<` merge keys in every service, shared
 * environment and healthcheck anchors, depends_on chains. Used by bench/compose-scale.mjs.
 *   generateCompose(n) → text
 */
export function generateCompose(n) {
  const lines = [
    'x-restart-policy: &restart_policy',
    '  restart: unless-stopped',
    'x-depends-on-default: &depends_on_default',
    '  depends_on:',
    '    db:',
    '      condition: service_healthy',
    '    cache:',
    '      condition: service_healthy',
    'x-healthcheck-defaults: &healthcheck_defaults',
    '  interval: 10s',
    '  timeout: 5s',
    '  retries: 5',
    '  start_period: 10s',
    'x-common-env: &common_env',
    '  LOG_LEVEL: info',
    '  DB_HOST: db',
    '  CACHE_HOST: cache',
    '  DATABASE_URL: postgres://app:${DB_PASSWORD:-dev}@db:5432/app',
    'x-app-defaults: &app_defaults',
    '  <<: [*restart_policy, *depends_on_default]',
    '  image: "example/app:${APP_TAG:-latest}"',
    '  environment:',
    '    <<: *common_env',
    '  volumes:',
    '    - app-data:/data',
    '  healthcheck:',
    '    <<: *healthcheck_defaults',
    '    test: ["CMD", "true"]',
    'services:',
    '  db:',
    '    <<: *restart_policy',
    '    image: postgres:16',
    '    environment:',
    '      POSTGRES_USER: app',
    '      POSTGRES_PASSWORD: ${DB_PASSWORD:-dev}',
    '    healthcheck:',
    '      <<: *healthcheck_defaults',
    '      test: ["CMD-SHELL", "pg_isready -U app"]',
    '  cache:',
    '    <<: *restart_policy',
    '    image: redis:7',
    '    healthcheck:',
    '      <<: *healthcheck_defaults',
    '      test: ["CMD", "redis-cli", "ping"]',
  ];
  for (let i = 0; i < n - 2; i++) {
    lines.push(
      `  worker-${i}:`,
      '    <<: *app_defaults',
      `    command: run worker-${i} --queue q${i % 7}`,
      '    environment:',
      '      <<: *common_env',
      `      WORKER_NAME: worker-${i}`,
      `      QUEUE: q${i % 7}`,
    );
    if (i % 5 === 0) lines.push('    ports:', `      - "127.0.0.1::${9000 + i}"`);
  }
  lines.push('volumes:', '  app-data: {}', '');
  return lines.join('\n');
}
