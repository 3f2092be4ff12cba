import { DreamloomApiError, type TaskError } from './dreamloom-client.js';

/**
 * What a member reads when the server refuses to start (or act on) a generation: one table from
 * the server's stable error codes to plain words with the next step. The server's own messages
 * are written for API callers (`body.prompt: Too big: expected string to have <=2000 characters`,
 * `duration_seconds`), so they are never shown as they are; only the facts in them (the field,
 * the allowed values, the price) are reused.
 */
export interface Refusal extends TaskError {
  /** The server's code, unchanged, so logs and tests can tell refusals apart. */
  code: string;
  /** The member-facing text. */
  message: string;
}

/** Where credits come from; every "no credits" answer ends with it. */
export const HOW_TO_GET_CREDITS =
  'Credits (MC) are added by the community staff: ask an admin of this server or group for a top-up. /balance shows what you have.';

/** The prompt limits of the server (images: contract 000's 2000 characters; videos: 5000). */
export const PROMPT_LIMITS = { image: 2000, video: 5000 } as const;

type RefusalText = (message: string) => string;

const byCode: Record<string, RefusalText> = {
  TOO_MANY_JOBS_IN_FLIGHT: (message) => {
    const limit = /\(limit (\d+)\)/.exec(message)?.[1];
    return (
      `You already have ${limit ? `${limit} generations` : 'as many generations as you may'} running or queued. ` +
      'Wait for one to finish, or stop one with ✖ Cancel on its card, then try again. /balance shows what is running.'
    );
  },
  DAILY_QUOTA_EXCEEDED: (message) => {
    const quota = /\(quota (\d+)\)/.exec(message)?.[1];
    return (
      `You have used ${quota ? `all ${quota} generations` : 'every generation'} you may start in 24 hours. ` +
      'Try again later; /balance shows how many you have used.'
    );
  },
  INSUFFICIENT_CREDITS: (message) => {
    const price = /costs (\d+) MC; your balance is (\d+) MC/.exec(message);
    const facts = price
      ? `This costs ${price[1]} MC and you have ${price[2]} MC. `
      : 'You do not have enough credits for this. ';
    return `${facts}${HOW_TO_GET_CREDITS} /quote shows what each kind of generation costs.`;
  },
  MODEL_NOT_FOUND: (message) => {
    const model = /Unknown model (.+)$/.exec(message)?.[1];
    return `There is no model ${model ? `called "${model}"` : 'by that name'}. /help lists the models you can use.`;
  },
  VALIDATION_ERROR: (message) => validationText(message),
  PRIVATE_NEEDS_PRO: () => 'Private generations need a Pro membership.',
  REFERENCE_IMAGE_REFUSED: () =>
    'That image cannot be used as a reference. Attach the image itself (PNG, JPEG, WebP or GIF) and try again.',
  CHARACTER_NOT_FOUND: () => 'That character does not exist or is not yours.',
  UPSCALE_NOT_SUPPORTED: () => 'This image cannot be upscaled: its model has no 4K, or it is 4K already.',
  GENERATION_NOT_FOUND: () => 'Only the member who started this job can use its buttons.',
  TASK_NOT_FOUND: () => 'Only the member who started this job can cancel it.',
  NOT_CANCELLABLE: () => 'This job has already finished, so there is nothing to cancel.',
  FRAME_UNAVAILABLE: () => 'The attached photo could not be read from Telegram. Send it again.',
  UPLOAD_FAILED: () => 'The attached photo could not be stored. Try a smaller PNG or JPEG.',
  RATE_LIMITED: () => 'You are sending commands too quickly. Wait a minute and try again.',
  NETWORK_ERROR: () => 'Dreamloom cannot be reached right now. Please try again in a minute.',
};

/** Field names the server's validation messages use, with what a member can do about each. */
const fieldTexts: Record<string, (detail: { model?: string; allowed?: string; message: string }) => string> =
  {
    prompt: ({ message }) =>
      /required|too small|>=1/i.test(message)
        ? 'Please write a prompt, e.g. /imagine a fox under cherry blossoms.'
        : `Your prompt is too long: images take up to ${PROMPT_LIMITS.image} characters, videos up to ${PROMPT_LIMITS.video}. Shorten it and try again.`,
    duration_seconds: ({ model, allowed }) =>
      `${model ?? 'This model'} makes videos of ${orList(allowed, 'other lengths')} seconds. Pick one of those (--duration on Telegram, duration on Discord).`,
    aspect_ratio: ({ model, allowed }) =>
      `${model ?? 'This model'} takes the ratios ${orList(allowed, 'listed in /help')}.`,
    resolution: ({ model, allowed }) =>
      allowed
        ? `${model ?? 'This model'} takes the resolutions ${orList(allowed, '')}.`
        : `${model ?? 'This model'} takes no resolution; leave it out.`,
    mode: ({ model, allowed }) =>
      allowed
        ? `${model ?? 'This model'} takes the modes ${orList(allowed, '')}.`
        : `${model ?? 'This model'} takes no mode; leave it out.`,
    image_resolution: () => 'Images come in 1K, 2K or 4K.',
    batch_size: () => 'You can ask for 1 to 4 images at once.',
    model_id: () => 'Please choose a video model; /help lists them.',
    reference_image_urls: () =>
      'Too many or unusable reference images; attach at most one first and one last frame.',
    multi_shots: () => 'This model cannot make multi-shot videos.',
  };

const FIELD_PATTERN = new RegExp(`\\b(${Object.keys(fieldTexts).join('|')})\\b`);

/**
 * Reads the field (and, where the server lists them, the allowed values and the model) out of a
 * VALIDATION_ERROR message. Route checks say `body.<field>: <zod text>`; the services say
 * `<Model> supports <field> <a, b>` or `<field> must be …`.
 */
export function parseValidationMessage(message: string): {
  field?: string;
  model?: string;
  allowed?: string;
} {
  const field = FIELD_PATTERN.exec(message)?.[1];
  const supports = /^(.+?) (?:supports|takes no) (\w+)(?: (.+))?$/.exec(message);
  if (supports && supports[2] === field) return { field, model: supports[1], allowed: supports[3] };
  // Route checks of a fixed set (zod enums): `body.aspect_ratio: Invalid option: expected one of "1:1"|"4:3"`.
  const oneOf = /expected one of ((?:"[^"]*"\|?)+)/.exec(message)?.[1];
  if (oneOf) return { field, allowed: [...oneOf.matchAll(/"([^"]*)"/g)].map((m) => m[1]).join(', ') };
  return { field };
}

function validationText(message: string): string {
  // Several problems are joined with "; " — the first one is enough for a member to act on.
  const first = message.split('; ')[0] ?? message;
  const { field, model, allowed } = parseValidationMessage(first);
  const text = field ? fieldTexts[field] : undefined;
  return text
    ? text({ model, allowed, message: first })
    : 'Something in that request was not accepted. /help shows the commands and the values they take.';
}

/** "5, 10" → "5 or 10". */
function orList(list: string | undefined, fallback: string): string {
  if (!list) return fallback;
  const items = list.split(/,\s*/);
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** Plain words for any error that stopped a request; server internals are never passed through. */
export function refusalFor(err: unknown): Refusal {
  if (err instanceof DreamloomApiError) {
    const text = byCode[err.code];
    if (text) return { code: err.code, message: text(err.message) };
    if (err.status === 429) return { code: err.code, message: byCode.RATE_LIMITED(err.message) };
    if (err.status === 403 && /Pro membership/i.test(err.message))
      return { code: 'PRIVATE_NEEDS_PRO', message: byCode.PRIVATE_NEEDS_PRO(err.message) };
    // Other refusals of the anime API are English sentences written for members (README "Errors in English").
    if (err.expose) return { code: err.code, message: err.message };
  }
  return { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side. Please try again later.' };
}
