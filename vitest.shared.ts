// Shared vitest settings: resolve workspace packages to their TypeScript sources
// (the "source" export condition) so tests never depend on a prior build.
import { defineConfig } from 'vitest/config';

export const sharedConfig = defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    exclude: ['**/node_modules/**', '**/dist/**'],
  },
});
