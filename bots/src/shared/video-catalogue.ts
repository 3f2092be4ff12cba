import type { DreamloomClient, PlatformUser, VideoModelInfo } from './dreamloom-client.js';
import { DEFAULT_VIDEO_MODEL } from './video.handler.js';

/** One suggestion for a command option: what the member reads and what the bot receives. */
export interface OptionChoice<T extends string | number = string | number> {
  name: string;
  value: T;
}

/** Discord shows at most 25 suggestions. */
const MAX_CHOICES = 25;

/** Plain words for the modes the server's models use. */
const MODE_LABELS: Record<string, string> = { std: 'standard', pro: 'high quality' };

/**
 * The server's video models and what each accepts (`GET /api/anime-video/models`), read once a
 * minute at most: commands offer only what the chosen model takes, so nothing offered is refused.
 * While the server cannot be asked, the last catalogue read is used.
 */
export class VideoCatalogue {
  private cached: { models: VideoModelInfo[]; expires: number } | undefined;
  private reading: Promise<VideoModelInfo[]> | undefined;

  constructor(
    private readonly dreamloom: DreamloomClient,
    private readonly options: { ttlMs?: number; now?: () => number } = {},
  ) {}

  async models(user: PlatformUser): Promise<VideoModelInfo[]> {
    const now = this.options.now?.() ?? Date.now();
    if (this.cached && this.cached.expires > now) return this.cached.models;
    this.reading ??= this.dreamloom
      .listVideoModels(user)
      .then((models) => {
        this.cached = { models, expires: now + (this.options.ttlMs ?? 60_000) };
        return models;
      })
      .catch((error: unknown) => {
        if (this.cached) return this.cached.models;
        throw error;
      })
      .finally(() => (this.reading = undefined));
    return this.reading;
  }

  /** A model by id or display name (any case), as members type either. */
  async find(user: PlatformUser, idOrName: string): Promise<VideoModelInfo | undefined> {
    const wanted = idOrName.trim().toLowerCase();
    const models = await this.models(user);
    return (
      models.find((m) => m.id.toLowerCase() === wanted) ?? models.find((m) => m.name.toLowerCase() === wanted)
    );
  }
}

function matching<T extends string | number>(choices: OptionChoice<T>[], typed: string): OptionChoice<T>[] {
  const text = typed.trim().toLowerCase();
  return (
    choices
      .filter(
        (c) => !text || c.name.toLowerCase().includes(text) || String(c.value).toLowerCase().includes(text),
      )
      .slice(0, MAX_CHOICES)
      // Discord's limit for a suggestion's name.
      .map((c) => ({ ...c, name: c.name.slice(0, 100) }))
  );
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** The models by display name; the value is the id the server takes. */
export function modelChoices(models: VideoModelInfo[], typed = ''): OptionChoice<string>[] {
  return matching(
    models.map((m) => ({ name: m.name, value: m.id })),
    typed,
  );
}

/** The lengths the model makes (every model's lengths while none is chosen). */
export function durationChoices(
  models: VideoModelInfo[],
  model: VideoModelInfo | undefined,
  typed = '',
): OptionChoice<number>[] {
  const durations = unique((model ? [model] : models).flatMap((m) => m.durations)).sort((a, b) => a - b);
  return matching(
    durations.map((d) => ({
      name: model ? `${d} s` : `${d} s (${namesTaking(models, (m) => m.durations.includes(d))})`,
      value: d,
    })),
    typed,
  );
}

/** The aspect ratios the model takes. */
export function ratioChoices(
  models: VideoModelInfo[],
  model: VideoModelInfo | undefined,
  typed = '',
): OptionChoice<string>[] {
  const ratios = unique((model ? [model] : models).flatMap((m) => m.ratios));
  return matching(
    ratios.map((r) => ({
      name: model ? r : `${r} (${namesTaking(models, (m) => m.ratios.includes(r))})`,
      value: r,
    })),
    typed,
  );
}

/** Resolutions (720p, 1080p) or modes (std, pro), whichever the model takes; none for models with neither. */
export function qualityChoices(
  models: VideoModelInfo[],
  model: VideoModelInfo | undefined,
  typed = '',
): OptionChoice<string>[] {
  const of = model ? [model] : models;
  const values = unique(of.flatMap((m) => [...m.resolutions, ...m.modes]));
  return matching(
    values.map((v) => {
      const label = MODE_LABELS[v] ? `${v} (${MODE_LABELS[v]})` : v;
      return {
        name: model
          ? label
          : `${label}: ${namesTaking(models, (m) => m.resolutions.includes(v) || m.modes.includes(v))}`,
        value: v,
      };
    }),
    typed,
  );
}

/** Whether a quality value is the model's mode (std/pro) rather than a resolution. */
export function qualityField(model: VideoModelInfo | undefined, value: string): 'mode' | 'resolution' {
  if (model) return model.modes.includes(value) ? 'mode' : 'resolution';
  return value in MODE_LABELS ? 'mode' : 'resolution';
}

function namesTaking(models: VideoModelInfo[], takes: (m: VideoModelInfo) => boolean): string {
  return models
    .filter(takes)
    .map((m) => m.name)
    .join(', ');
}

/** "Sora-2 Pro (sora-2-pro): 10 or 15 s · 16:9 or 9:16 · std or pro": what one model takes, in a line. */
export function describeVideoModel(model: VideoModelInfo): string {
  const or = (items: Array<string | number>) =>
    items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
  const parts = [`${or(model.durations)} s`, or(model.ratios)];
  const qualities = [...model.resolutions, ...model.modes];
  if (qualities.length) parts.push(or(qualities));
  return `${model.name} (${model.id}): ${parts.join(' · ')}`;
}

/** The models with the bots' default (what /video uses without --model) first, the rest as the server lists them. */
export function defaultModelFirst(models: VideoModelInfo[]): VideoModelInfo[] {
  return [...models].sort(
    (a, b) => Number(b.id === DEFAULT_VIDEO_MODEL) - Number(a.id === DEFAULT_VIDEO_MODEL),
  );
}
