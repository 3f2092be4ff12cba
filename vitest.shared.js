// Shared vitest settings: resolve workspace packages to their TypeScript sources
// (the "source" export condition) so tests never depend on a prior build.
import path from 'node:path';
import { defineConfig } from 'vitest/config';
// scripts/test-all.sh collects one JSON report per package to print a single total at the end.
const reportDir = process.env.VITEST_REPORT_DIR;
export const sharedConfig = defineConfig({
    resolve: { conditions: ['source'] },
    ssr: { resolve: { conditions: ['source'] } },
    test: {
        testTimeout: 30_000,
        hookTimeout: 60_000,
        exclude: ['**/node_modules/**', '**/dist/**'],
        reporters: reportDir ? ['default', 'json'] : ['default'],
        outputFile: reportDir
            ? { json: path.join(reportDir, `${path.basename(process.cwd())}.json`) }
            : undefined,
    },
});
//# sourceMappingURL=vitest.shared.js.map