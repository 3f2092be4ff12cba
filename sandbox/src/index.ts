import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './create-app.js';
import { SandboxState } from './sandbox-state.js';

export { SandboxState, DEFAULT_SETTINGS, type ApiKeyStatus } from './sandbox-state.js';
export type { FaultSpec, ProviderName, SandboxSettings } from './sandbox.types.js';
export { SandboxInputError } from './sandbox.types.js';
export type { SandboxStats } from './stats.store.js';
export type { JimengAccount, JimengAccountPatch } from './jimeng-account.store.js';
export type { KieKey, KieKeyPatch } from './kie.store.js';
export type { PendingFault } from './fault.store.js';

export interface SandboxOptions {
  /** Port to listen on. Default 0 (a random free port); `main.ts` uses SANDBOX_PORT, default 4010. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Base latency of generation calls (Jimeng sync calls, kie task stages, Gemini). Default 50. */
  latencyMs?: number;
  /** Multiplies real output pixel sizes (0.25 makes a 2k 1:1 image 512x512); 1 = real size. Default 0.25. */
  imageScale?: number;
  /** Base of returned file URLs. Default `http://host:port`. */
  publicUrl?: string;
  /** kie.ai webhook HMAC key; when set, callbacks carry X-Webhook-Timestamp/X-Webhook-Signature. */
  kieWebhookKey?: string;
  /** Where unexpected errors are reported. Default console.error. */
  log?: (line: string) => void;
}

export interface Sandbox {
  /** e.g. `http://127.0.0.1:4010`; providers live under /jimeng, /kie, /gemini, /openai. */
  url: string;
  port: number;
  state: SandboxState;
  close(): Promise<void>;
}

/** Starts a sandbox with its own state on loopback. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const state = new SandboxState({
    ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
    ...(options.imageScale !== undefined ? { imageScale: options.imageScale } : {}),
    ...(options.kieWebhookKey !== undefined ? { kieWebhookKey: options.kieWebhookKey } : {}),
  });
  await state.files.init();
  const log = options.log ?? ((line: string) => console.error(line));
  const server = createServer(createApp(state, log).callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const reachableHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${reachableHost}:${port}`;
  state.publicUrl = (options.publicUrl ?? url).replace(/\/$/, '');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    state,
    close() {
      closing ??= (async () => {
        await state.shutdown();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
