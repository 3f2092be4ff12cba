import Router from '@koa/router';
import type { Context } from 'koa';
import { bearerToken, isRecord, promptMarker, sleep } from './http-helpers.js';
import { isKieTaskFault, kieError, kieFaultBody, kieMarkerFault, type KieErrorBody } from './kie-errors.js';
import { createKieTask, kieTaskCost, recordInfoData } from './kie-task.service.js';
import type { SandboxState } from './sandbox-state.js';
import type { FaultSpec } from './sandbox.types.js';

/** kie.ai's market API (PROVIDERS.md §2), mounted at `/kie`. Body `code` is authoritative. */
export function kieRouter(state: SandboxState): Router {
  const router = new Router({ prefix: '/kie' });
  router.post('/api/v1/jobs/createTask', (ctx) => createTask(state, ctx));
  router.get('/api/v1/jobs/recordInfo', (ctx) => recordInfo(state, ctx));
  router.get('/api/v1/chat/credit', (ctx) => credit(state, ctx));
  return router;
}

function send(ctx: Context, body: KieErrorBody | object, httpStatus = 200): void {
  ctx.status = httpStatus;
  ctx.body = body;
}

/** Shared start of every kie call: count it, check the key, apply a request-level fault. */
async function begin(
  state: SandboxState,
  ctx: Context,
  endpoint: 'createTask' | 'recordInfo' | 'credit',
  taskFault?: FaultSpec,
): Promise<{ key: string; taskFault?: FaultSpec } | undefined> {
  const key = bearerToken(ctx);
  state.counters.record('kie', key, endpoint);
  if (!key || !state.kie.key(key).valid) {
    send(ctx, kieError(401));
    return undefined;
  }
  const fault = state.faults.take('kie', key, endpoint, endpoint === 'createTask') ?? taskFault;
  if (fault && !isKieTaskFault(fault)) {
    if (fault.delayMs) await sleep(fault.delayMs, state.shutdownSignal);
    send(ctx, kieFaultBody(fault), fault.httpStatus ?? 200);
    return undefined;
  }
  return { key, taskFault: fault };
}

async function createTask(state: SandboxState, ctx: Context): Promise<void> {
  const body = isRecord(ctx.request.body) ? ctx.request.body : {};
  const input = isRecord(body.input) ? body.input : undefined;
  const marker = promptMarker(typeof input?.prompt === 'string' ? input.prompt : undefined);
  const markerFault = marker ? kieMarkerFault(marker) : undefined;
  const started = await begin(state, ctx, 'createTask', markerFault && { provider: 'kie', ...markerFault });
  if (!started) return;
  const { key, taskFault } = started;

  const invalid = validateCreate(body, input);
  if (invalid) return send(ctx, kieError(422, invalid));
  const model = body.model as string;
  const account = state.kie.key(key);
  const cost = kieTaskCost(model);
  if (account.credits < cost) return send(ctx, kieError(402));
  account.credits -= cost;

  const latency = state.settings.latencyMs;
  const slow = taskFault?.kind === 'slow';
  const task = createKieTask(state, {
    key,
    model,
    input: input!,
    callBackUrl: typeof body.callBackUrl === 'string' ? body.callBackUrl : undefined,
    stageMs: slow ? (taskFault?.delayMs ?? latency * 15) / 3 : latency,
    plan: {
      fail:
        taskFault?.kind === 'task-fail' || taskFault?.code === 501
          ? { code: '500', msg: taskFault.message ?? 'Internal server error' }
          : undefined,
      suppressCallback: taskFault?.kind === 'no-callback',
    },
  });
  send(ctx, { code: 200, msg: 'success', data: { taskId: task.taskId } });
}

/** Checks kie's docs state for the inputs Dreamloom sends; unknown models are accepted. */
function validateCreate(
  body: Record<string, unknown>,
  input: Record<string, unknown> | undefined,
): string | undefined {
  if (typeof body.model !== 'string' || !body.model) return 'model cannot be empty';
  if (!input) return 'input cannot be empty';
  if (
    body.callBackUrl !== undefined &&
    (typeof body.callBackUrl !== 'string' || !/^https?:\/\//.test(body.callBackUrl))
  ) {
    return 'callBackUrl must be a valid http(s) URL';
  }
  const hasImage = ['image_urls', 'image_url', 'input_urls'].some((key) => input[key] !== undefined);
  if (typeof input.prompt !== 'string' && !hasImage) return 'input.prompt cannot be empty';
  const model = body.model;
  const oneOf = (key: string, allowed: string[]) =>
    input[key] !== undefined && !allowed.includes(String(input[key]))
      ? `input.${key} must be one of ${allowed.join(', ')}`
      : undefined;
  if (model.startsWith('sora-2')) {
    return oneOf('aspect_ratio', ['landscape', 'portrait']) ?? oneOf('n_frames', ['10', '15']);
  }
  if (model.startsWith('kling')) return oneOf('mode', ['std', 'pro']);
  return undefined;
}

async function recordInfo(state: SandboxState, ctx: Context): Promise<void> {
  const started = await begin(state, ctx, 'recordInfo');
  if (!started) return;
  const taskId = typeof ctx.query.taskId === 'string' ? ctx.query.taskId : '';
  if (!taskId) return send(ctx, kieError(422, 'taskId cannot be empty'));
  const task = state.kie.tasks.get(taskId);
  if (!task || task.key !== started.key) return send(ctx, kieError(404, 'Task not found'));
  send(ctx, { code: 200, msg: 'success', data: recordInfoData(state, task) });
}

async function credit(state: SandboxState, ctx: Context): Promise<void> {
  const started = await begin(state, ctx, 'credit');
  if (!started) return;
  send(ctx, { code: 200, msg: 'success', data: state.kie.key(started.key).credits });
}
