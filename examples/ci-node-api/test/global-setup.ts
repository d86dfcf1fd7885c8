/**
 * The stack for this test run: an ephemeral copy of the example stack (its own name, network,
 * volumes and host ports), started through stackctl's Node API and proven ready before any test
 * runs. If this process dies without reaching teardown, the copy's reaper removes it.
 */
import { fileURLToPath } from 'node:url';
import { Stack, StackUpError } from 'stackctl';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    stackName: string;
    gatewayUrl: string;
    frontendUrl: string;
    postgresPort: number;
    apiKey: string;
  }
}

const STACK_FILE = fileURLToPath(new URL('../../../stack.yaml', import.meta.url));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stack = await Stack.load(STACK_FILE);
  try {
    const env = await stack.up({ ephemeral: true, ttl: '20m' });
    project.provide('stackName', env.name);
    project.provide('gatewayUrl', env.url('api-gateway'));
    project.provide('frontendUrl', env.url('frontend'));
    project.provide('postgresPort', env.port('postgres', 5432));
    project.provide('apiKey', stack.definition.services.find((service) => service.name === 'api-gateway')?.environment.API_KEY ?? '');
  } catch (error) {
    // The diagnosis says which service failed and why (it is already redacted).
    if (error instanceof StackUpError) console.error(error.message);
    throw error;
  }
  return async () => {
    await stack.down();
  };
}
