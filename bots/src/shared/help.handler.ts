import type { DreamloomClient, PlatformUser } from './dreamloom-client.js';
import { HOW_TO_GET_CREDITS } from './refusals.js';
import { VIDEO_MODELS } from './video.handler.js';
import { defaultModelFirst } from './video-catalogue.js';

/** Every command a member can use, in the order /help lists them (both platforms have all of them). */
export const MEMBER_COMMANDS = [
  { command: 'imagine', usage: '/imagine <prompt>', what: 'anime images (ratio, 1–4 images)' },
  {
    command: 'video',
    usage: '/video <prompt>',
    what: 'a short anime video (model, duration, ratio; a photo as the first frame)',
  },
  {
    command: 'story',
    usage: '/story list | start | say | regenerate | end',
    what: 'play a story with AI characters',
  },
  { command: 'balance', usage: '/balance', what: 'your credits and the jobs you have running' },
  { command: 'quote', usage: '/quote [model]', what: 'what images and videos cost' },
  { command: 'history', usage: '/history', what: 'your latest generations' },
  {
    command: 'show',
    usage: '/show <id>',
    what: 'a card again, with its media and buttons, by the short id on it (6 characters will do)',
  },
  { command: 'help', usage: '/help', what: 'this overview' },
] as const;

/**
 * The price list, read from the server each time so it shows what staff set (images cost
 * `ANIME_IMAGE_CREDITS_PER_IMAGE` until a model has its own price; 0 means free). A price the
 * server cannot give is left out rather than guessed.
 */
export async function priceLines(dreamloom: DreamloomClient, user: PlatformUser): Promise<string[]> {
  // The server's catalogue names the models it serves ("Kling 2.5"); the id is what commands take.
  const models = await dreamloom.listVideoModels(user).then(
    (list) => defaultModelFirst(list).map((m) => ({ id: m.id, label: `${m.name} (${m.id})` })),
    () => VIDEO_MODELS.map((id) => ({ id, label: id })),
  );
  const [image, ...videos] = await Promise.allSettled([
    dreamloom.quoteImage(user, { batchSize: 1 }),
    ...models.map((model) => dreamloom.quoteVideo(user, { modelId: model.id })),
  ]);
  const lines: string[] = [];
  if (image.status === 'fulfilled')
    lines.push(
      image.value.credits === 0
        ? 'Images: free (0 MC)'
        : `Images: ${image.value.credits} MC per image (2K; 4K may cost more)`,
    );
  const videoPrices = videos.flatMap((quote, i) =>
    quote.status === 'fulfilled'
      ? [`${models[i].label} ${shortVideoPrice(quote.value.explain, quote.value.credits)}`]
      : [],
  );
  if (videoPrices.length) lines.push(`Videos: ${videoPrices.join('; ')}`);
  return lines;
}

/** "Kling 2.5 (kling/video-v2.5), 5 s: 210 MC (contract base …)" → "210 MC (5 s)": the price once. */
function shortVideoPrice(explain: string, credits: number): string {
  const options = /\), (.+): \d+ MC/.exec(explain)?.[1];
  return options ? `${credits} MC (${options})` : `${credits} MC`;
}

/**
 * `/start` and `/help`: every command, the prices, how credits work, and for a member without
 * credits the next step.
 */
export async function helpText(dreamloom: DreamloomClient, user: PlatformUser): Promise<string> {
  const [prices, balance] = await Promise.all([
    priceLines(dreamloom, user),
    dreamloom.getBalance(user).then(
      (view) => view.balance,
      () => undefined,
    ),
  ]);
  const lines = [
    'Dreamloom makes anime images and videos from your prompts, and plays stories with AI characters.',
    '',
    'Commands:',
    ...MEMBER_COMMANDS.map((c) => `${c.usage} — ${c.what}`),
    '',
    'Prices (credits, MC):',
    ...(prices.length ? prices : ['The prices cannot be read right now; /quote tries again.']),
    'A job is charged when it starts and refunded if it fails or you cancel it.',
  ];
  if (balance !== undefined) {
    lines.push('', `You have ${balance} MC.`);
    if (balance === 0) {
      const imagesFree = prices[0]?.startsWith('Images: free');
      lines.push(`${imagesFree ? 'Images are free, so /imagine works now. ' : ''}${HOW_TO_GET_CREDITS}`);
    }
  }
  return lines.join('\n');
}
