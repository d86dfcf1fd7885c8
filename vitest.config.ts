import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests share one Docker engine and fixed host ports: run files one at a time there.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 600_000,
    env: { TESTCONTAINERS_RYUK_DISABLED: 'true' },
  },
});
