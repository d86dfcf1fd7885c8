import { describe, expect, it } from 'vitest';
import { EngineUnavailableError } from '../../../src/errors.js';
import { DockerRuntime } from '../../../src/runtime/docker-runtime.js';

describe('ping', () => {
  it("asks the engine the runtime was given (the caller's DOCKER_HOST), not the default socket", async () => {
    const runtime = new DockerRuntime({ dockerHost: 'unix:///nonexistent/stackctl-test/docker.sock', pingTimeoutMs: 2000 });
    const error = await runtime.ping().catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(EngineUnavailableError);
    expect((error as Error).message).toContain('unix:///nonexistent/stackctl-test/docker.sock');
  });
});
