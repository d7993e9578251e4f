import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/setup/summary.ts'],
    // Integration tests share real PostgreSQL and MariaDB servers; each file uses its own
    // database, but running files one at a time keeps two cores from thrashing.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
