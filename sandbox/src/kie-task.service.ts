import { createHmac, randomBytes } from 'node:crypto';
import type { PixelSize } from './image-render.service.js';
import { isRecord, unixSeconds } from './http-helpers.js';
import type { KieTask } from './kie.store.js';
import { storeRenderedPng, storeSampleVideo } from './media.service.js';
import type { SandboxState } from './sandbox-state.js';

/** Credits a task costs in the sandbox (kie's real prices vary by model and option). */
export function kieTaskCost(model: string): number {
  return isVideoModel(model) ? 30 : 5;
}

export function isVideoModel(model: string): boolean {
  return /video|kling|sora|veo|hailuo|seedance|wan\//i.test(model);
}

/** kie echoes inputs with numbers as strings (`"duration":"5"`). */
function stringifyNumbers(value: unknown): unknown {
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map(stringifyNumbers);
  if (isRecord(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringifyNumbers(v)]));
  return value;
}

export interface NewTask {
  key: string;
  model: string;
  input: Record<string, unknown>;
  callBackUrl?: string;
  stageMs: number;
  plan: KieTask['plan'];
}

/** Creates a task that walks waiting → queuing → generating → success|fail over 3 stages. */
export function createKieTask(state: SandboxState, spec: NewTask): KieTask {
  const input = stringifyNumbers(spec.input) as Record<string, unknown>;
  const task: KieTask = {
    taskId: randomBytes(16).toString('hex'),
    key: spec.key,
    model: spec.model,
    param: JSON.stringify({
      ...(spec.callBackUrl ? { callBackUrl: spec.callBackUrl } : {}),
      model: spec.model,
      input,
    }),
    input,
    callBackUrl: spec.callBackUrl,
    createTime: Date.now(),
    stageMs: spec.stageMs,
    state: 'waiting',
    resultUrls: [],
    failCode: null,
    failMsg: null,
    completeTime: null,
    costTime: null,
    plan: spec.plan,
  };
  state.kie.tasks.set(task.taskId, task);
  task.timer = setTimeout(() => void completeTask(state, task), spec.stageMs * 3);
  return task;
}

async function completeTask(state: SandboxState, task: KieTask): Promise<void> {
  if (state.shutdownSignal.aborted || state.kie.tasks.get(task.taskId) !== task) return;
  try {
    if (task.plan.fail) {
      task.failCode = task.plan.fail.code;
      task.failMsg = task.plan.fail.msg;
    } else if (isVideoModel(task.model)) {
      task.resultUrls = [state.fileUrl(state.files.plainPath(storeSampleVideo(state)))];
    } else {
      const prompt = typeof task.input.prompt === 'string' ? task.input.prompt : task.model;
      const file = await storeRenderedPng(state, {
        prompt,
        index: 1,
        nominal: kieImageSize(task.input),
        label: task.model,
      });
      task.resultUrls = [state.fileUrl(state.files.plainPath(file))];
    }
  } catch (error) {
    task.failCode = '500';
    task.failMsg = `Internal server error: ${(error as Error).message}`;
  }
  if (state.kie.tasks.get(task.taskId) !== task) return; // reset while rendering
  task.completeTime = Date.now();
  task.costTime = task.completeTime - task.createTime;
  task.state = task.failCode ? 'fail' : 'success';
  if (!task.callBackUrl) return;
  if (task.plan.suppressCallback) {
    state.counters.kieCallbacks.suppressed += 1;
    return;
  }
  await deliverCallback(state, task);
}

/** `data` of recordInfo, in kie's field order. */
export function recordInfoData(state: SandboxState, task: KieTask, now = Date.now()) {
  const taskState = state.kie.stateAt(task, now);
  const stage = Math.min(2, Math.floor((now - task.createTime) / Math.max(1, task.stageMs)));
  return {
    taskId: task.taskId,
    model: task.model,
    state: taskState,
    param: task.param,
    resultJson: taskState === 'success' ? JSON.stringify({ resultUrls: task.resultUrls }) : '',
    failCode: task.failCode ?? '',
    failMsg: task.failMsg ?? '',
    costTime: task.costTime,
    completeTime: task.completeTime,
    createTime: task.createTime,
    updateTime: task.completeTime ?? task.createTime + stage * task.stageMs,
  };
}

/**
 * POSTs the result like recordInfo's response (kie's docs show both `taskId` and `task_id`),
 * signed when a webhook key is set. Delivery failures are counted, never thrown.
 */
async function deliverCallback(state: SandboxState, task: KieTask): Promise<void> {
  const success = task.state === 'success';
  const payload = {
    code: success ? 200 : 501,
    msg: success ? 'Playground task completed successfully.' : 'Playground task failed.',
    data: {
      ...recordInfoData(state, task),
      task_id: task.taskId,
      failCode: task.failCode,
      failMsg: task.failMsg,
    },
  };
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const webhookKey = state.settings.kieWebhookKey;
  if (webhookKey) {
    const timestamp = String(unixSeconds());
    headers['X-Webhook-Timestamp'] = timestamp;
    headers['X-Webhook-Signature'] = createHmac('sha256', webhookKey)
      .update(`${task.taskId}.${timestamp}`)
      .digest('base64');
  }
  try {
    const response = await fetch(task.callBackUrl!, {
      method: 'POST',
      headers,
      body: JSON.stringify(payload),
      signal: AbortSignal.any([state.shutdownSignal, AbortSignal.timeout(10_000)]),
    });
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) state.counters.kieCallbacks.delivered += 1;
    else state.counters.kieCallbacks.failed += 1;
  } catch {
    state.counters.kieCallbacks.failed += 1;
  }
}

/** Nominal output size of image models from `aspect_ratio` / `image_size` (1K long side). */
function kieImageSize(input: Record<string, unknown>): PixelSize {
  const raw = String(input.aspect_ratio ?? input.image_size ?? '1:1');
  const named: Record<string, string> = {
    square: '1:1',
    square_hd: '1:1',
    landscape: '16:9',
    portrait: '9:16',
    landscape_16_9: '16:9',
    portrait_16_9: '9:16',
    landscape_4_3: '4:3',
    portrait_4_3: '3:4',
  };
  const [w, h] = (named[raw] ?? raw).split(':').map(Number);
  if (!(w > 0 && h > 0)) return { width: 1024, height: 1024 };
  return w >= h
    ? { width: 1024, height: Math.round((1024 * h) / w) }
    : { width: Math.round((1024 * w) / h), height: 1024 };
}
