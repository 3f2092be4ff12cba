// Unit tests run on the Vite config; when scripts/test-all.sh sets VITEST_REPORT_DIR they also
// write a JSON report so the suite's closing line counts the admin's tests too.
import path from 'node:path';
import { defineConfig, mergeConfig } from 'vitest/config';
import viteConfig from './vite.config';

const reportDir = process.env.VITEST_REPORT_DIR;

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      reporters: reportDir ? ['default', 'json'] : ['default'],
      outputFile: reportDir ? { json: path.join(reportDir, 'admin.json') } : undefined,
    },
  }),
);
