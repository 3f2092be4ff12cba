import { setMaxListeners } from 'node:events';
import { FaultStore, type PendingFault } from './fault.store.js';
import { FileStore } from './file.store.js';
import { GenerationGate } from './generation-gate.js';
import { validateGeminiFault } from './gemini-errors.js';
import {
  JimengAccountStore,
  normalizeJimengToken,
  type JimengAccount,
  type JimengAccountPatch,
} from './jimeng-account.store.js';
import { validateJimengFault } from './jimeng-errors.js';
import { validateKieFault } from './kie-errors.js';
import { KieStore, type KieKey, type KieKeyPatch } from './kie.store.js';
import { validateOpenAiFault } from './openai-errors.js';
import {
  SandboxInputError,
  type FaultSpec,
  type ProviderName,
  type SandboxSettings,
} from './sandbox.types.js';
import { StatsStore, type SandboxStats } from './stats.store.js';

/** How an API key of Gemini or the OpenAI-compatible service behaves. */
export type ApiKeyStatus = 'ok' | 'invalid' | 'suspended' | 'quota-exhausted';

export const DEFAULT_SETTINGS: SandboxSettings = {
  latencyMs: 50,
  imageScale: 0.25,
  jimengImagesPerCall: 4,
  jimengUrlTtlSec: 24 * 3600,
  chatFirstTokenMs: 50,
  chatChunkIntervalMs: 15,
  chatTokensPerChunk: 3,
  kieWebhookKey: null,
};

/**
 * Everything one sandbox instance remembers. Nothing lives at module level, so several
 * sandboxes (one per test file) never see each other's accounts, faults or counters.
 */
export class SandboxState {
  readonly settings: SandboxSettings;
  readonly faults = new FaultStore({
    jimeng: validateJimengFault,
    kie: validateKieFault,
    gemini: validateGeminiFault,
    openai: validateOpenAiFault,
  });
  readonly counters = new StatsStore();
  readonly files = new FileStore(() => this.now());
  readonly jimeng = new JimengAccountStore();
  readonly kie = new KieStore();
  /** Holds Jimeng generation calls until released (tests that must see work still running). */
  readonly gate = new GenerationGate();
  private readonly apiKeys: Record<'gemini' | 'openai', Map<string, ApiKeyStatus>> = {
    gemini: new Map(),
    openai: new Map(),
  };
  private readonly initialSettings: SandboxSettings;
  private clockOffsetMs = 0;
  private readonly shutdownController = new AbortController();
  /** Base of returned file URLs; set once the server listens. */
  publicUrl = '';

  constructor(settings: Partial<SandboxSettings> = {}) {
    this.initialSettings = { ...DEFAULT_SETTINGS, ...settings };
    this.settings = { ...this.initialSettings };
    // Every request in flight listens for shutdown (requestSignal) and stops listening when it
    // ends: hundreds at once is normal here, not a leak.
    setMaxListeners(0, this.shutdownController.signal);
  }

  /** Aborts when the sandbox closes, so held requests and timers end promptly. */
  get shutdownSignal(): AbortSignal {
    return this.shutdownController.signal;
  }

  /** The sandbox clock (wall clock plus `advanceClock`), used for URL expiry. */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** Moves the sandbox clock forward, e.g. to expire signed Jimeng URLs without waiting. */
  advanceClock(seconds: number): number {
    this.clockOffsetMs += seconds * 1000;
    return this.clockOffsetMs / 1000;
  }

  /** Forgets accounts, keys, tasks, faults, counters and files; restores start-up settings. */
  async reset(): Promise<void> {
    this.jimeng.clear();
    this.kie.clear();
    this.apiKeys.gemini.clear();
    this.apiKeys.openai.clear();
    this.faults.clear();
    this.gate.release();
    this.counters.reset();
    this.clockOffsetMs = 0;
    Object.assign(this.settings, this.initialSettings);
    await this.files.clear();
  }

  setJimengToken(token: string, patch: JimengAccountPatch): JimengAccount {
    return { ...this.jimeng.set(token, patch) };
  }

  jimengToken(token: string): JimengAccount {
    return { ...this.jimeng.get(token) };
  }

  /** Simulates the daily quota reset: every session may claim its free points again. */
  jimengNewDay(): void {
    this.jimeng.newDay();
  }

  setKieKey(key: string, patch: KieKeyPatch): KieKey {
    return { ...this.kie.setKey(key, patch) };
  }

  kieKey(key: string): KieKey {
    return { ...this.kie.key(key) };
  }

  setGeminiKey(key: string, status: ApiKeyStatus): void {
    this.apiKeys.gemini.set(key, status);
  }

  setOpenAiKey(key: string, status: ApiKeyStatus): void {
    this.apiKeys.openai.set(key, status);
  }

  /** Unknown keys are fine: any non-empty key works unless told otherwise. */
  apiKeyStatus(provider: 'gemini' | 'openai', key: string): ApiKeyStatus {
    return this.apiKeys[provider].get(key) ?? 'ok';
  }

  injectFault(spec: FaultSpec | FaultSpec[]): PendingFault[] {
    return (Array.isArray(spec) ? spec : [spec]).map((one) =>
      this.faults.inject(
        // Jimeng sessions are matched in normalised form (region prefix lower-cased).
        one.provider === 'jimeng' && one.credential
          ? { ...one, credential: normalizeJimengToken(one.credential) }
          : one,
      ),
    );
  }

  pendingFaults(): PendingFault[] {
    return this.faults.list();
  }

  clearFaults(): void {
    this.faults.clear();
  }

  setLatency(ms: number): void {
    this.updateSettings({ latencyMs: ms });
  }

  /** Applies a partial settings update; throws on values that make no sense. */
  updateSettings(patch: Partial<SandboxSettings>): SandboxSettings {
    for (const [key, value] of Object.entries(patch) as Array<[keyof SandboxSettings, unknown]>) {
      if (!(key in DEFAULT_SETTINGS)) throw new SandboxInputError(`unknown setting ${key}`);
      if (key === 'kieWebhookKey') {
        if (value !== null && typeof value !== 'string')
          throw new SandboxInputError('kieWebhookKey must be a string or null');
      } else if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new SandboxInputError(`${key} must be a non-negative number`);
      }
    }
    if (patch.imageScale !== undefined && patch.imageScale <= 0)
      throw new SandboxInputError('imageScale must be positive');
    if (patch.jimengImagesPerCall !== undefined && !(patch.jimengImagesPerCall >= 1)) {
      throw new SandboxInputError('jimengImagesPerCall must be at least 1');
    }
    Object.assign(this.settings, patch);
    return { ...this.settings };
  }

  stats(): SandboxStats {
    return this.counters.snapshot();
  }

  /** Number of calls so far, optionally for one credential and/or endpoint. */
  callCount(provider: ProviderName, credential?: string, endpoint?: string): number {
    return this.counters.count(provider, credential, endpoint);
  }

  resetStats(): void {
    this.counters.reset();
  }

  fileUrl(path: string): string {
    return `${this.publicUrl}${path}`;
  }

  /** Ends timers and held requests; used by close(). */
  async shutdown(): Promise<void> {
    this.shutdownController.abort();
    this.kie.clear();
    await this.files.close();
  }
}
