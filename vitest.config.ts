import { defineConfig } from 'vitest/config';
import SummaryReporter from './test/summary-reporter.js';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    globalSetup: ['test/workers/global-setup.ts'],
    testTimeout: 15_000,
    hookTimeout: 30_000,
    reporters: ['default', new SummaryReporter()],
  },
});
