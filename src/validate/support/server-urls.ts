/**
 * The URLs in clients' environments that lead to a server a credentials rule knows how to read
 * (`postgresServer`, `redisServer`): each with its client, the server's service and what was read from it.
 */
import type { Service } from '../../config/model.js';
import type { RuleContext } from '../rule.js';
import { urlsInEnvironment, type EnvUrl } from './urls.js';

export interface ServerUrl<Server> {
  client: Service;
  url: EnvUrl;
  /** The service the URL's host names. */
  server: Service;
  /** What `recognise` read from it. */
  facts: Server;
}

export const POSTGRES_SCHEMES: readonly string[] = ['postgres', 'postgresql'];
export const REDIS_SCHEMES: readonly string[] = ['redis', 'rediss'];

/** Every URL with one of `schemes` in any service's environment whose host is a service `recognise` takes for its server. */
export function* urlsToServers<Server>(
  { stack, services, hosts }: Pick<RuleContext, 'stack' | 'services' | 'hosts'>,
  schemes: readonly string[],
  recognise: (service: Service) => Server | undefined,
): Generator<ServerUrl<Server>> {
  for (const client of stack.services) {
    for (const url of urlsInEnvironment(client)) {
      if (!schemes.includes(url.scheme)) continue;
      const serverName = hosts.byHost.get(url.host);
      const server = serverName === undefined ? undefined : services.get(serverName);
      const facts = server ? recognise(server) : undefined;
      if (server && facts) yield { client, url, server, facts };
    }
  }
}
