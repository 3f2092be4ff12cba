import Router from '@koa/router';
import type { Context } from 'koa';
import { isRecord } from './http-helpers.js';
import type { JimengAccountPatch } from './jimeng-account.store.js';
import { recordInfoData } from './kie-task.service.js';
import type { ApiKeyStatus, SandboxState } from './sandbox-state.js';
import { SandboxInputError, type FaultSpec, type SandboxSettings } from './sandbox.types.js';

const KEY_STATUSES: ApiKeyStatus[] = ['ok', 'invalid', 'suspended', 'quota-exhausted'];

function body(ctx: Context): Record<string, unknown> {
  return isRecord(ctx.request.body) ? ctx.request.body : {};
}

function requiredString(source: Record<string, unknown>, key: string): string {
  const value = source[key];
  if (typeof value !== 'string' || !value)
    throw new SandboxInputError(`${key} (non-empty string) is required`);
  return value;
}

/**
 * The JSON control API under `/__sandbox`: the same operations as the SandboxState methods,
 * for tests and demos that run the sandbox out of process.
 */
export function controlRouter(state: SandboxState): Router {
  const router = new Router({ prefix: '/__sandbox' });

  router.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (!(error instanceof SandboxInputError)) throw error;
      ctx.status = 400;
      ctx.body = { error: error.message };
    }
  });

  router.get('/health', (ctx) => {
    ctx.body = { ok: true, providers: ['jimeng', 'kie', 'gemini', 'openai'] };
  });

  router.post('/reset', async (ctx) => {
    await state.reset();
    ctx.body = { ok: true };
  });

  router.get('/settings', (ctx) => {
    ctx.body = state.settings;
  });
  router.post('/settings', (ctx) => {
    ctx.body = state.updateSettings(body(ctx) as Partial<SandboxSettings>);
  });
  router.post('/latency', (ctx) => {
    const latencyMs = body(ctx).latencyMs;
    if (typeof latencyMs !== 'number') throw new SandboxInputError('latencyMs (number) is required');
    state.setLatency(latencyMs);
    ctx.body = { latencyMs: state.settings.latencyMs };
  });
  router.post('/clock/advance', (ctx) => {
    const seconds = body(ctx).seconds;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds))
      throw new SandboxInputError('seconds (number) is required');
    ctx.body = { offsetSeconds: state.advanceClock(seconds) };
  });

  router.get('/jimeng/tokens', (ctx) => {
    ctx.body = state.jimeng.list();
  });
  router.get('/jimeng/tokens/:token', (ctx) => {
    ctx.body = state.jimengToken(String(ctx.params.token));
  });
  router.post('/jimeng/tokens', (ctx) => {
    const input = body(ctx);
    const { token: _token, ...patch } = input;
    ctx.body = state.setJimengToken(requiredString(input, 'token'), checkJimengPatch(patch));
  });
  router.post('/jimeng/new-day', (ctx) => {
    state.jimengNewDay();
    ctx.body = { ok: true };
  });

  router.get('/kie/keys/:key', (ctx) => {
    ctx.body = state.kieKey(String(ctx.params.key));
  });
  router.post('/kie/keys', (ctx) => {
    const input = body(ctx);
    const key = requiredString(input, 'key');
    if (input.credits !== undefined && typeof input.credits !== 'number')
      throw new SandboxInputError('credits must be a number');
    if (input.valid !== undefined && typeof input.valid !== 'boolean')
      throw new SandboxInputError('valid must be a boolean');
    ctx.body = state.setKieKey(key, {
      credits: input.credits as number | undefined,
      valid: input.valid as boolean | undefined,
    });
  });
  router.get('/kie/tasks/:taskId', (ctx) => {
    const task = state.kie.tasks.get(String(ctx.params.taskId));
    if (!task) {
      ctx.status = 404;
      ctx.body = { error: 'no such task' };
      return;
    }
    ctx.body = { ...recordInfoData(state, task), callBackUrl: task.callBackUrl ?? null };
  });

  for (const provider of ['gemini', 'openai'] as const) {
    router.post(`/${provider}/keys`, (ctx) => {
      const input = body(ctx);
      const key = requiredString(input, 'key');
      const status = input.status as ApiKeyStatus;
      if (!KEY_STATUSES.includes(status))
        throw new SandboxInputError(`status must be one of ${KEY_STATUSES.join(', ')}`);
      if (provider === 'gemini') state.setGeminiKey(key, status);
      else state.setOpenAiKey(key, status);
      ctx.body = { key, status };
    });
  }

  router.get('/faults', (ctx) => {
    ctx.body = state.pendingFaults();
  });
  router.post('/faults', (ctx) => {
    const input = ctx.request.body;
    const specs = Array.isArray(input) ? input : [input];
    if (!specs.every(isRecord)) throw new SandboxInputError('a fault is a JSON object');
    ctx.body = state.injectFault(specs as unknown as FaultSpec[]);
  });
  router.delete('/faults', (ctx) => {
    state.clearFaults();
    ctx.body = { ok: true };
  });

  router.get('/stats', (ctx) => {
    ctx.body = state.stats();
  });
  router.delete('/stats', (ctx) => {
    state.resetStats();
    ctx.body = { ok: true };
  });

  return router;
}

function checkJimengPatch(patch: Record<string, unknown>): JimengAccountPatch {
  for (const [key, value] of Object.entries(patch)) {
    if (key === 'live' || key === 'dailyReceived') {
      if (typeof value !== 'boolean') throw new SandboxInputError(`${key} must be a boolean`);
    } else if (['points', 'giftCredit', 'purchaseCredit', 'vipCredit'].includes(key)) {
      if (typeof value !== 'number' || value < 0)
        throw new SandboxInputError(`${key} must be a non-negative number`);
    } else if (key === 'concurrencyLimit') {
      if (value !== null && !(typeof value === 'number' && Number.isInteger(value) && value >= 1)) {
        throw new SandboxInputError('concurrencyLimit must be a positive integer or null');
      }
    } else {
      throw new SandboxInputError(`unknown jimeng token field ${key}`);
    }
  }
  return patch as JimengAccountPatch;
}
