/**
 * The stack.yaml services whose secrets come from variables — a postgres login and a redis password,
 * each in the environment or command line and in the readiness probe — that the fuzz test mutates and
 * the leak test fills with canaries (test/unit/input/). Indented to sit under `services:`.
 */
export function dbAndCacheServices(variables: { dbPassword: string; redisPassword: string }): string {
  const db = `\${${variables.dbPassword}}`;
  const redis = `\${${variables.redisPassword}}`;
  return `  db:
    image: postgres:16
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD: ${db}
    readiness:
      postgres: { user: app, password: "${db}" }
  cache:
    image: redis:7
    command: redis-server --requirepass ${redis}
    readiness: { redis: { password: "${redis}" } }
`;
}
