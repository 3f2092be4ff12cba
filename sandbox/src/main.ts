// Standalone sandbox: `npm run sandbox` from the repository root.
import { startSandbox } from './index.js';

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`${name} must be a non-negative number, got "${raw}"`);
    process.exit(1);
  }
  return value;
}

const sandbox = await startSandbox({
  port: numberFromEnv('SANDBOX_PORT', 4010),
  host: process.env.SANDBOX_HOST || '127.0.0.1',
  latencyMs: numberFromEnv('SANDBOX_LATENCY_MS', 50),
  imageScale: numberFromEnv('SANDBOX_IMAGE_SCALE', 0.25),
  publicUrl: process.env.SANDBOX_PUBLIC_URL || undefined,
  kieWebhookKey: process.env.SANDBOX_KIE_WEBHOOK_KEY || undefined,
});
console.log(
  `Provider sandbox listening on ${sandbox.url} (jimeng, kie, gemini, openai; control at /__sandbox)`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sandbox.close().then(() => process.exit(0));
  });
}
