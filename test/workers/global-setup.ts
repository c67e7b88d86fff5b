import type { TestProject } from 'vitest/node';
import { buildWorkerBundle } from './bundle.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** What `wrangler deploy --dry-run` printed when the test run built the Worker. */
    wranglerBuildOutput: string;
  }
}

/** Builds the Worker once per test run; every workerd target and the bundle test use that build. */
export default function setup(project: TestProject) {
  project.provide('wranglerBuildOutput', buildWorkerBundle());
}
