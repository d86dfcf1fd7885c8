import { defineConfig } from 'vitest/config';

// Integration files whose assertions need the engine to themselves (a kill-and-recover time bound):
// vitest runs a project without file parallelism after the others, one file at a time.
const ENGINE_EXCLUSIVE = [
  'test/integration/daemon/daemon.test.ts',
  // The reaper's 10 s bound after a SIGKILL; three copies of the example stack (thirty services).
  'test/integration/ci/reaper.test.ts',
  'test/integration/ci/ephemeral-copies.test.ts',
  // swarm init/leave changes the engine's networking for everyone: other stacks' container DNS
  // failed ("could not translate host name postgres") while it ran beside them.
  'test/integration/swarm/swarm-single-node.test.ts',
];

// Unit and integration files share one pool: unit files are CPU, integration files mostly wait on
// containers, so they overlap well. Every integration file works in its own namespace (project
// name, labels, networks, engine-chosen host ports), so they may run side by side. The integration
// projects' global setup builds the CLI and the example images once, before the first file.
const workers = Number(process.env.STACKCTL_TEST_WORKERS) || 3;

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 600_000,
    maxWorkers: workers,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: ENGINE_EXCLUSIVE,
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration-exclusive',
          include: ENGINE_EXCLUSIVE,
          fileParallelism: false,
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
