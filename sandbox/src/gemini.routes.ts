import Router from '@koa/router';
import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import sharp from 'sharp';
import {
  geminiFaultError,
  geminiMarkerFault,
  GEMINI_SHAPE_KINDS,
  googleError,
  invalidApiKey,
  suspendedApiKey,
  type GeminiHttpError,
} from './gemini-errors.js';
import { hashString, isAbortError, isRecord, promptMarker, requestSignal, sleep } from './http-helpers.js';
import { renderPng, type PixelSize } from './image-render.service.js';
import type { SandboxState } from './sandbox-state.js';
import type { FaultSpec } from './sandbox.types.js';

const IMAGE_MODELS = [
  'gemini-2.5-flash-image',
  'gemini-2.5-flash-image-preview',
  'gemini-3-pro-image-preview',
  'gemini-3.1-flash-image-preview',
];

/** Output size at 1K per aspect ratio, as the image models produce them; 2K doubles, 4K quadruples. */
const SIZES_1K: Record<string, [number, number]> = {
  '1:1': [1024, 1024],
  '2:3': [832, 1248],
  '3:2': [1248, 832],
  '3:4': [864, 1184],
  '4:3': [1184, 864],
  '4:5': [896, 1152],
  '5:4': [1152, 896],
  '9:16': [768, 1344],
  '16:9': [1344, 768],
  '21:9': [1536, 672],
};
const IMAGE_SIZES: Record<string, number> = { '1K': 1, '2K': 2, '4K': 4 };
const MODALITIES = ['TEXT', 'IMAGE', 'AUDIO'];
const TROUBLESHOOTING = 'https://developers.generativeai.google/guide/troubleshooting';

type Part = Record<string, unknown>;
type GenerateResponse = Record<string, unknown>;

/** The Gemini API's generateContent (PROVIDERS.md §3), mounted at `/gemini`. */
export function geminiRouter(state: SandboxState): Router {
  const router = new Router({ prefix: '/gemini' });
  router.post('/v1beta/models/:modelAction', (ctx) => generate(state, ctx));
  return router;
}

function sendError(ctx: Context, error: GeminiHttpError): void {
  ctx.status = error.status;
  ctx.body = error.body;
}

async function generate(state: SandboxState, ctx: Context): Promise<void> {
  const [model, action] = String(ctx.params.modelAction).split(':');
  const key =
    ctx.get('x-goog-api-key') || (typeof ctx.query.key === 'string' ? ctx.query.key : '') || undefined;
  const endpoint = action ?? 'unknown';
  state.counters.record('gemini', key, endpoint);
  if (action !== 'generateContent' && action !== 'streamGenerateContent') {
    return sendError(ctx, googleError(404, `Method not found.`));
  }
  if (!key) return sendError(ctx, googleError(403));
  const status = state.apiKeyStatus('gemini', key);
  if (status === 'invalid') return sendError(ctx, invalidApiKey());
  if (status === 'suspended') return sendError(ctx, suspendedApiKey(key));
  if (status === 'quota-exhausted') return sendError(ctx, googleError(429));
  if (!model.startsWith('gemini-')) {
    return sendError(
      ctx,
      googleError(
        404,
        `models/${model} is not found for API version v1beta, or is not supported for ${action}. Call ListModels to see the list of available models and their supported methods.`,
      ),
    );
  }

  const signal = requestSignal(ctx, state.shutdownSignal);
  state.counters.enter('gemini', key);
  try {
    const request = isRecord(ctx.request.body) ? ctx.request.body : {};
    const parsed = await parseRequest(request);
    if ('status' in parsed) return sendError(ctx, parsed);
    const marker = promptMarker(parsed.prompt);
    const markerFault = marker ? geminiMarkerFault(marker) : undefined;
    const fault: FaultSpec | undefined =
      state.faults.take('gemini', key, endpoint, true) ??
      (markerFault && { provider: 'gemini', ...markerFault });
    const httpError = fault ? geminiFaultError(fault) : undefined;
    if (httpError) {
      await sleep(fault?.delayMs ?? 0, signal);
      return sendError(ctx, httpError);
    }
    const delay =
      fault?.kind === 'slow' ? (fault.delayMs ?? state.settings.latencyMs * 5) : state.settings.latencyMs;
    await sleep(delay, signal);
    const chunks = await respond(state, model, parsed, fault);
    if (action === 'generateContent') {
      ctx.body = merge(chunks);
    } else if (ctx.query.alt === 'sse') {
      ctx.type = 'text/event-stream';
      ctx.body = chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\r\n\r\n`).join('');
    } else {
      ctx.body = chunks;
    }
  } catch (error) {
    if (!isAbortError(error)) throw error;
  } finally {
    state.counters.leave('gemini', key);
  }
}

interface ParsedRequest {
  prompt: string;
  modalities: string[];
  aspectRatio?: string;
  imageSize: string;
  inputImages: number;
  promptTokens: number;
}

/** Google-style validation of the fields Dreamloom sends. */
async function parseRequest(body: Record<string, unknown>): Promise<ParsedRequest | GeminiHttpError> {
  const contents = body.contents;
  if (!Array.isArray(contents) || contents.length === 0) {
    return googleError(400, '* GenerateContentRequest.contents: contents is not specified\n');
  }
  const config = isRecord(body.generationConfig) ? body.generationConfig : {};
  const imageConfig = isRecord(config.imageConfig) ? config.imageConfig : {};
  const modalities = Array.isArray(config.responseModalities)
    ? config.responseModalities.map(String)
    : ['TEXT', 'IMAGE'];
  for (const [index, modality] of modalities.entries()) {
    if (!MODALITIES.includes(modality)) {
      return googleError(
        400,
        `Invalid value at 'generation_config.response_modalities[${index}]' (type.googleapis.com/google.ai.generativelanguage.v1beta.GenerationConfig.Modality), "${modality}"`,
      );
    }
  }
  const aspectRatio = imageConfig.aspectRatio === undefined ? undefined : String(imageConfig.aspectRatio);
  if (aspectRatio !== undefined && !(aspectRatio in SIZES_1K)) {
    return googleError(
      400,
      `* GenerateContentRequest.generation_config.image_config.aspect_ratio: unsupported aspect ratio "${aspectRatio}". Supported values: ${Object.keys(SIZES_1K).join(', ')}\n`,
    );
  }
  const imageSize = imageConfig.imageSize === undefined ? '1K' : String(imageConfig.imageSize);
  if (!(imageSize in IMAGE_SIZES)) {
    return googleError(
      400,
      `* GenerateContentRequest.generation_config.image_config.image_size: unsupported image size "${imageSize}". Supported values: 1K, 2K, 4K\n`,
    );
  }
  let prompt = '';
  let inputImages = 0;
  for (const content of contents) {
    const parts = isRecord(content) && Array.isArray(content.parts) ? content.parts : [];
    for (const part of parts) {
      if (!isRecord(part)) continue;
      if (typeof part.text === 'string') prompt = prompt ? `${prompt}\n${part.text}` : part.text;
      if (isRecord(part.inlineData)) {
        const data = Buffer.from(String(part.inlineData.data ?? ''), 'base64');
        const ok =
          data.length > 0 &&
          (await sharp(data)
            .metadata()
            .then(
              () => true,
              () => false,
            ));
        if (!ok)
          return googleError(
            400,
            `Unable to process input image. Please retry or report in ${TROUBLESHOOTING}`,
          );
        inputImages += 1;
      }
    }
  }
  return {
    prompt,
    modalities,
    aspectRatio,
    imageSize,
    inputImages,
    promptTokens: Math.ceil(prompt.length / 4) + inputImages * 258,
  };
}

function usage(parsed: ParsedRequest, imageTokens: number, textTokens: number) {
  return {
    promptTokenCount: parsed.promptTokens,
    candidatesTokenCount: imageTokens + textTokens,
    totalTokenCount: parsed.promptTokens + imageTokens + textTokens,
    promptTokensDetails: [
      { modality: 'TEXT', tokenCount: Math.ceil(parsed.prompt.length / 4) },
      ...(parsed.inputImages ? [{ modality: 'IMAGE', tokenCount: parsed.inputImages * 258 }] : []),
    ],
  };
}

/** The answer as stream chunks; generateContent merges them into one response. */
async function respond(
  state: SandboxState,
  model: string,
  parsed: ParsedRequest,
  fault: FaultSpec | undefined,
): Promise<GenerateResponse[]> {
  const base = { modelVersion: model, responseId: randomBytes(12).toString('base64url') };
  const shape = fault?.kind ? GEMINI_SHAPE_KINDS[fault.kind] : undefined;
  if (shape?.blockReason) {
    return [
      { promptFeedback: { blockReason: shape.blockReason }, usageMetadata: usage(parsed, 0, 0), ...base },
    ];
  }
  if (shape?.finishReason) {
    return [
      {
        candidates: [{ finishReason: shape.finishReason, index: 0 }],
        usageMetadata: usage(parsed, 0, 0),
        ...base,
      },
    ];
  }
  const seed = hashString(`${model}:${parsed.prompt}`);
  const wantsImage =
    parsed.modalities.includes('IMAGE') && IMAGE_MODELS.includes(model) && fault?.kind !== 'text-only';
  const chunks: Part[][] = [];
  if (model.startsWith('gemini-3') && wantsImage) {
    // Thinking models stream thoughts (text and a draft image) that clients must skip.
    const draft = await renderPng({
      prompt: `draft: ${parsed.prompt}`,
      index: 0,
      nominal: { width: 256, height: 256 },
      scale: state.settings.imageScale,
      label: `${model} thought`,
    });
    chunks.push([
      {
        text: `**Composing the scene**\n\nI'm planning the layout for "${parsed.prompt.slice(0, 80)}".`,
        thought: true,
      },
      { inlineData: { mimeType: 'image/png', data: draft.toString('base64') }, thought: true },
    ]);
  }
  let textTokens = 0;
  const textWanted = parsed.modalities.includes('TEXT') && (!wantsImage || seed % 2 === 0);
  if (textWanted) {
    const text = wantsImage
      ? `Here is the image you asked for: ${parsed.prompt.slice(0, 120)}`
      : fault?.kind === 'text-only'
        ? "I can't generate an image for that request, but I can describe it instead."
        : `Sandbox reply from ${model}: ${parsed.prompt.slice(0, 200)}`;
    textTokens = Math.ceil(text.length / 4);
    chunks.push([{ text }]);
  }
  let imageTokens = 0;
  if (wantsImage) {
    const png = await renderPng({
      prompt: parsed.prompt,
      index: 1,
      nominal: outputSize(model, parsed),
      scale: state.settings.imageScale,
      label: model,
    });
    imageTokens = model.startsWith('gemini-3') ? 1120 : 1290;
    const image: Part = { inlineData: { mimeType: 'image/png', data: png.toString('base64') } };
    if (model.startsWith('gemini-3')) image.thoughtSignature = randomBytes(24).toString('base64');
    chunks.push([image]);
  }
  return chunks.map((parts, i) => {
    const last = i === chunks.length - 1;
    return {
      candidates: [
        { content: { parts, role: 'model' }, ...(last ? { finishReason: 'STOP' } : {}), index: 0 },
      ],
      ...(last ? { usageMetadata: usage(parsed, imageTokens, textTokens) } : {}),
      ...base,
    };
  });
}

function outputSize(model: string, parsed: ParsedRequest): PixelSize {
  const [width, height] = SIZES_1K[parsed.aspectRatio ?? '1:1'];
  // Only the newer models honour imageSize; 2.5 Flash Image always answers at 1K.
  const factor = model.startsWith('gemini-2.5') ? 1 : IMAGE_SIZES[parsed.imageSize];
  return { width: width * factor, height: height * factor };
}

function merge(chunks: GenerateResponse[]): GenerateResponse {
  if (chunks.length === 1) return chunks[0];
  const last = chunks[chunks.length - 1];
  const parts = chunks.flatMap((chunk) => {
    const candidates = chunk.candidates as Array<{ content: { parts: Part[] } }>;
    return candidates[0].content.parts;
  });
  const [candidate] = last.candidates as Array<Record<string, unknown>>;
  return { ...last, candidates: [{ ...candidate, content: { parts, role: 'model' } }] };
}
