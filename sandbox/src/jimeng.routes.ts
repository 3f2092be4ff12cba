import Router from '@koa/router';
import type { Context } from 'koa';
import {
  isAbortError,
  isRecord,
  promptMarker,
  readBody,
  requestSignal,
  sleep,
  unixSeconds,
} from './http-helpers.js';
import type { ParsedBody } from './http-helpers.js';
import { normalizeJimengToken, totalCredit, type JimengAccount } from './jimeng-account.store.js';
import {
  checkVideoDuration,
  GatewayError,
  imageCost,
  imageSize,
  resolveImageModel,
  resolveVideoModel,
  videoCost,
} from './jimeng-catalog.js';
import {
  body,
  jimengFaultBody,
  jimengMarkerFault,
  type JimengErrorBody,
  type JimengJob,
} from './jimeng-errors.js';
import type { StoredFile } from './file.store.js';
import { renderPng } from './image-render.service.js';
import { storeSampleVideo } from './media.service.js';
import type { SandboxState } from './sandbox-state.js';
import type { FaultSpec } from './sandbox.types.js';

/** A gateway failure: answered with HTTP 200 and `{code,message,data:null}`. */
class JimengFailure extends Error {
  constructor(readonly body: JimengErrorBody) {
    super(body.message);
  }
}

const fail = (code: number, message: string) => new JimengFailure(body(code, message));
const paramsInvalid = (key: string) => fail(-2000, `Params ${key} invalid`);

const AUTO_RECEIVE_FAILED = '积分不足且无法自动收取。请访问即梦官网手动收取首次积分，或检查账户状态。';
const PREDEDUCT_FAILED =
  '[积分不足]: credit prededuct not enough。建议：1)尝试使用1024x1024分辨率，2)检查是否需要购买积分，3)确认账户状态正常';
const SESSION_EXPIRED = '[登录失效]: login error。请重新获取refresh_token并更新配置';
const ANTI_BOT = '[请求失败]: shark not pass (错误码: 1019)';

type GenerationEndpoint = 'images/generations' | 'images/compositions' | 'videos/generations';

/**
 * A jimeng-api-compatible gateway (PROVIDERS.md §1), mounted at `/jimeng`. Calls are
 * synchronous: the request is held for the configured latency, then answered.
 */
export function jimengRouter(state: SandboxState): Router {
  const router = new Router({ prefix: '/jimeng' });

  router.get('/ping', (ctx) => {
    ctx.body = 'pong';
  });
  router.post('/v1/images/generations', (ctx) => generation(state, ctx, 'images/generations'));
  router.post('/v1/images/compositions', (ctx) => generation(state, ctx, 'images/compositions'));
  router.post('/v1/videos/generations', (ctx) => generation(state, ctx, 'videos/generations'));
  router.post('/token/check', (ctx) => tokenCheck(state, ctx));
  router.post('/token/points', (ctx) => tokenPoints(state, ctx));
  router.post('/token/receive', (ctx) => tokenReceive(state, ctx));
  return router;
}

/** The gateway's tokenSplit: strip "Bearer ", split on commas. */
function splitTokens(authorization: string): string[] {
  return authorization.replace('Bearer ', '').split(',');
}

function pickToken(ctx: Context): string | undefined {
  const header = ctx.get('authorization');
  if (!header) return undefined;
  const tokens = splitTokens(header);
  // Gateways pick one at random; Dreamloom always sends exactly one.
  return normalizeJimengToken(tokens[Math.floor(Math.random() * tokens.length)]);
}

async function generation(state: SandboxState, ctx: Context, endpoint: GenerationEndpoint): Promise<void> {
  const job: JimengJob = endpoint === 'videos/generations' ? 'video' : 'image';
  const token = pickToken(ctx);
  state.counters.record('jimeng', token, endpoint);
  const signal = requestSignal(ctx, state.shutdownSignal);
  let entered = false;
  try {
    const input = await readBody(ctx);
    const params = validate(endpoint, input, ctx);
    if (!token) throw paramsInvalid('headers.authorization');
    const account = state.jimeng.get(token);
    entered = true;
    const inFlight = state.counters.enter('jimeng', token);
    if (account.concurrencyLimit !== null && inFlight > account.concurrencyLimit) throw fail(-2001, ANTI_BOT);

    const fault = state.faults.take('jimeng', token, endpoint, true) ?? markerFault(params.prompt);
    let delayMs = job === 'video' ? state.settings.latencyMs * 2 : state.settings.latencyMs;
    if (fault) {
      const failure = jimengFaultBody(fault, job);
      if (failure) {
        await sleep(fault.delayMs ?? state.settings.latencyMs, signal);
        throw new JimengFailure(failure);
      }
      delayMs = fault.delayMs ?? delayMs * 5; // kind "slow"
    }

    await state.gate.pass(signal);
    const data =
      job === 'video'
        ? await generateVideo(state, account, params, delayMs, signal)
        : await generateImages(state, account, endpoint, params, delayMs, signal);
    ctx.body = {
      created: unixSeconds(),
      data,
      ...(endpoint === 'images/compositions'
        ? { input_images: params.images.length, composition_type: 'multi_image_synthesis' }
        : {}),
    };
  } catch (error) {
    if (isAbortError(error)) return; // the client left; nobody reads an answer
    ctx.body = asFailure(error).body;
  } finally {
    if (entered) state.counters.leave('jimeng', token);
  }
}

interface GenerationParams {
  model?: string;
  prompt: string;
  ratio?: string;
  resolution?: string;
  responseFormat: string;
  /** Compositions: remote URLs or data URLs; uploads count as buffers. */
  images: Array<string | Buffer>;
  duration: number;
  filePaths: string[];
}

function markerFault(prompt: string): FaultSpec | undefined {
  const marker = promptMarker(prompt);
  const fault = marker ? jimengMarkerFault(marker) : undefined;
  return fault ? { provider: 'jimeng', ...fault } : undefined;
}

const isOptionalString = (value: unknown) => value === undefined || typeof value === 'string';
const isFiniteNumber = (value: unknown) => typeof value === 'number' && Number.isFinite(value);

/** The gateway's route-level checks, in its order, with its codes (-1000 for plain Errors). */
function validate(endpoint: GenerationEndpoint, input: ParsedBody, ctx: Context): GenerationParams {
  const fields = input.fields;
  if (endpoint !== 'videos/generations') {
    const unsupported = ['size', 'width', 'height'].filter((key) => key in fields);
    if (unsupported.length > 0) {
      throw fail(
        -1000,
        `不支持的参数: ${unsupported.join(', ')}。请使用 ratio 和 resolution 参数控制图像尺寸。`,
      );
    }
  }
  const check = (key: string, ok: (value: unknown) => boolean) => {
    if (!ok(fields[key])) throw paramsInvalid(`body.${key}`);
  };
  check('model', isOptionalString);
  check('prompt', (value) => typeof value === 'string');
  check('ratio', isOptionalString);
  check('resolution', isOptionalString);
  check('response_format', isOptionalString);
  if (endpoint === 'videos/generations') {
    check(
      'functionMode',
      (value) => value === undefined || value === 'first_last_frames' || value === 'omni_reference',
    );
  } else {
    check('negative_prompt', isOptionalString);
    const strength = (value: unknown) =>
      value === undefined ||
      isFiniteNumber(value) ||
      (input.multipart && typeof value === 'string' && !Number.isNaN(parseFloat(value)));
    check('sample_strength', strength);
  }
  if (endpoint === 'images/generations') {
    check('intelligent_ratio', (value) => value === undefined || typeof value === 'boolean');
  }
  if (typeof ctx.get('authorization') !== 'string' || ctx.get('authorization') === '') {
    throw paramsInvalid('headers.authorization');
  }
  const params: GenerationParams = {
    model: fields.model as string | undefined,
    prompt: fields.prompt as string,
    ratio: fields.ratio as string | undefined,
    resolution: fields.resolution as string | undefined,
    responseFormat: (fields.response_format as string | undefined) ?? 'url',
    images: [],
    duration: 5,
    filePaths: [],
  };
  if (endpoint === 'images/compositions') params.images = compositionImages(input);
  if (endpoint === 'videos/generations') Object.assign(params, videoInputs(input));
  return params;
}

function compositionImages(input: ParsedBody): Array<string | Buffer> {
  if (input.multipart) {
    const files = input.files.images;
    if (!files) throw fail(-1000, "在form-data中缺少 'images' 字段");
    if (files.length > 10) throw fail(-1000, '最多支持10张输入图片');
    return files;
  }
  const images = input.fields.images;
  if (!Array.isArray(images)) throw paramsInvalid('body.images');
  if (images.length === 0) throw fail(-1000, '至少需要提供1张输入图片');
  if (images.length > 10) throw fail(-1000, '最多支持10张输入图片');
  return images.map((image, index) => {
    if (typeof image === 'string') return image;
    if (!isRecord(image)) throw fail(-1000, `图片 ${index + 1} 格式不正确：应为URL字符串或包含url字段的对象`);
    if (typeof image.url !== 'string' || !image.url) throw fail(-1000, `图片 ${index + 1} 缺少url字段`);
    return image.url;
  });
}

function videoInputs(input: ParsedBody): Pick<GenerationParams, 'duration' | 'filePaths'> {
  const fields = input.fields;
  let duration = 5;
  if (fields.duration !== undefined) {
    const raw = fields.duration;
    if (input.multipart && typeof raw === 'string') {
      duration = parseInt(raw, 10);
      if (!Number.isInteger(duration) || raw.trim() !== String(duration)) {
        throw fail(-1000, `duration 必须是整数，当前值: ${raw}`);
      }
    } else if (isFiniteNumber(raw)) {
      duration = raw as number;
    } else {
      throw fail(-1000, 'duration 参数格式错误');
    }
  }
  try {
    if (fields.duration !== undefined) checkVideoDuration(fields.model as string | undefined, duration);
  } catch (error) {
    throw asFailure(error);
  }
  for (const key of ['file_paths', 'filePaths']) {
    const value = fields[key];
    if (value !== undefined && !(Array.isArray(value) && value.length <= 2))
      throw paramsInvalid(`body.${key}`);
  }
  const uploads = Object.values(input.files).flat();
  if (uploads.length > 2) throw fail(-1000, '最多只能上传2个图片文件');
  const filePaths = (fields.filePaths as string[] | undefined)?.length
    ? (fields.filePaths as string[])
    : ((fields.file_paths as string[] | undefined) ?? []);
  return { duration, filePaths };
}

function asFailure(error: unknown): JimengFailure {
  if (error instanceof JimengFailure) return error;
  // The gateway reports every non-API exception as a system error with its message.
  return fail(-1000, error instanceof GatewayError || error instanceof Error ? error.message : String(error));
}

function checkLive(account: JimengAccount): void {
  if (!account.live) throw fail(-2002, SESSION_EXPIRED);
}

async function generateImages(
  state: SandboxState,
  account: JimengAccount,
  endpoint: GenerationEndpoint,
  params: GenerationParams,
  delayMs: number,
  signal: AbortSignal,
): Promise<Array<{ url: string } | { b64_json: string }>> {
  const model = resolveImageModel(params.model, account);
  const nominal = imageSize(model, account, params.resolution, params.ratio);
  checkLive(account);
  const cost = imageCost(params.resolution);
  if (totalCredit(account) <= 0) state.jimeng.receive(account);
  const total = totalCredit(account);
  if (endpoint === 'images/compositions') {
    // Compositions skip the gateway's own points check; the upstream submit refuses instead.
    for (const [index, image] of params.images.entries()) await fetchInput(image, index, 'image', signal);
    if (total < cost) throw fail(-2001, '[请求失败]: Not enough credits left (错误码: 1006)');
  } else {
    if (total <= 0) throw fail(-2009, AUTO_RECEIVE_FAILED);
    if (total < cost) throw fail(-2009, PREDEDUCT_FAILED);
  }
  state.jimeng.spend(account, cost);
  // The upstream makes its images during the latency, so the sandbox draws them meanwhile too:
  // drawing after the wait would add this machine's CPU time to every call's latency. It starts
  // halfway, not on arrival: calls tend to arrive in bursts, and drawing then would hold up the
  // rest of the burst on this shared machine.
  const count = Math.round(state.settings.jimengImagesPerCall);
  const drawAfterMs = Math.floor(delayMs / 2);
  await sleep(drawAfterMs, signal);
  const drawing = Promise.all(
    Array.from({ length: count }, (_, i) =>
      renderPng({
        prompt: params.prompt,
        index: i + 1,
        nominal,
        label: model,
        scale: state.settings.imageScale,
      }),
    ),
  );
  drawing.catch(() => undefined); // a client that leaves during the wait never collects them
  await sleep(delayMs - drawAfterMs, signal);
  const files: StoredFile[] = [];
  for (const png of await drawing)
    files.push(await state.files.put(png, 'png', 'image/png', { signed: true }));
  return respondFiles(state, files, params.responseFormat);
}

async function generateVideo(
  state: SandboxState,
  account: JimengAccount,
  params: GenerationParams,
  delayMs: number,
  signal: AbortSignal,
): Promise<Array<({ url: string } | { b64_json: string }) & { revised_prompt: string }>> {
  resolveVideoModel(params.model, account);
  checkLive(account);
  if (totalCredit(account) <= 0 && !state.jimeng.receive(account)) throw fail(-2008, AUTO_RECEIVE_FAILED);
  const cost = videoCost(params.duration);
  if (totalCredit(account) < cost) throw fail(-2009, PREDEDUCT_FAILED);
  for (const [index, path] of params.filePaths.entries()) await fetchInput(path, index, 'video', signal);
  state.jimeng.spend(account, cost);
  await sleep(delayMs, signal);
  const file = storeSampleVideo(state, { signed: true });
  const [item] = await respondFiles(state, [file], params.responseFormat);
  return [{ ...item, revised_prompt: params.prompt }];
}

async function respondFiles(
  state: SandboxState,
  files: StoredFile[],
  responseFormat: string,
): Promise<Array<{ url: string } | { b64_json: string }>> {
  if (responseFormat === 'b64_json') {
    return Promise.all(
      files.map(async (file) => ({ b64_json: (await state.files.read(file)).toString('base64') })),
    );
  }
  return files.map((file) => ({
    url: state.fileUrl(state.files.signedPath(file, state.settings.jimengUrlTtlSec)),
  }));
}

/**
 * The gateway downloads every input and uploads it to Jimeng; a download that fails ends the
 * call (-2007 for compositions, -2001 for video frames). Data URLs and uploads need no fetch.
 */
async function fetchInput(
  image: string | Buffer,
  index: number,
  job: JimengJob,
  signal: AbortSignal,
): Promise<void> {
  if (typeof image !== 'string' || image.startsWith('data:')) return;
  let reason: string | undefined;
  try {
    const response = await fetch(image, { signal: AbortSignal.any([signal, AbortSignal.timeout(15_000)]) });
    await response.arrayBuffer();
    if (!response.ok) reason = `Request failed with status code ${response.status}`;
  } catch (error) {
    if (signal.aborted) throw error;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    reason = cause?.message ?? (error as Error).message;
  }
  if (reason === undefined) return;
  if (job === 'image') throw fail(-2007, `图片上传失败: ${reason}`);
  throw fail(-2001, `${index === 0 ? '首帧' : '尾帧'}图片上传失败: ${reason}`);
}

async function tokenCheck(state: SandboxState, ctx: Context): Promise<void> {
  const fields = (await readBody(ctx)).fields;
  const token = typeof fields.token === 'string' ? normalizeJimengToken(fields.token) : undefined;
  state.counters.record('jimeng', token, 'token/check');
  const fault = state.faults.take('jimeng', token, 'token/check', false);
  if (fault) return void (ctx.body = jimengFaultBody(fault, 'token'));
  if (!token) return void (ctx.body = paramsInvalid('body.token').body);
  ctx.body = { live: state.jimeng.get(token).live };
}

function pointsOf(account: JimengAccount) {
  return {
    giftCredit: account.giftCredit,
    purchaseCredit: account.purchaseCredit,
    vipCredit: account.vipCredit,
    totalCredit: totalCredit(account),
  };
}

async function tokenPoints(state: SandboxState, ctx: Context): Promise<void> {
  const token = pickToken(ctx);
  state.counters.record('jimeng', token, 'token/points');
  const fault = state.faults.take('jimeng', token, 'token/points', false);
  if (fault) return void (ctx.body = jimengFaultBody(fault, 'token'));
  const header = ctx.get('authorization');
  if (!header) return void (ctx.body = paramsInvalid('headers.authorization').body);
  const tokens = splitTokens(header);
  const accounts = tokens.map((raw) => state.jimeng.get(raw));
  // The gateway queries all sessions at once; one expired session fails the whole call.
  if (accounts.some((account) => !account.live)) return void (ctx.body = body(-2002, SESSION_EXPIRED));
  ctx.body = tokens.map((raw, i) => ({ token: raw, points: pointsOf(accounts[i]) }));
}

async function tokenReceive(state: SandboxState, ctx: Context): Promise<void> {
  const token = pickToken(ctx);
  state.counters.record('jimeng', token, 'token/receive');
  const fault = state.faults.take('jimeng', token, 'token/receive', false);
  if (fault) return void (ctx.body = jimengFaultBody(fault, 'token'));
  const header = ctx.get('authorization');
  if (!header) return void (ctx.body = paramsInvalid('headers.authorization').body);
  ctx.body = splitTokens(header).map((raw) => {
    const account = state.jimeng.get(raw);
    if (!account.live) return { token: raw, success: false, error: SESSION_EXPIRED };
    if (!state.jimeng.receive(account)) {
      return {
        token: raw,
        success: false,
        error: '[请求失败]: credit already received today (错误码: 4006)',
      };
    }
    return { token: raw, success: true, ...pointsOf(account) };
  });
}
