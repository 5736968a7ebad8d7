import { defineConfig } from 'vitest/config';

// Tests talk to real servers (PostgreSQL, Redis, Chromium, HTTP on ephemeral ports), so they get
// generous timeouts; speed targets live in bench/, never here.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
