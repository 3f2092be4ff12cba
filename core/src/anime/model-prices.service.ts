import { z } from 'zod';
import { AppError, ForbiddenError, ValidationError } from '../errors.js';
import { isStaff, type Actor } from '../identity/actor.js';
import type { Clock } from '../ports/clock.port.js';
import type { IdGenerator } from '../shared/ids.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { UnitOfWork } from '../shared/unit-of-work.js';
import type { ModelPriceRepository } from './model-price.repository.js';
import { videoModelSchema, type VideoModelConfig } from './video-models.js';

export const IMAGE_RESOLUTIONS = ['1K', '2K', '4K'] as const;

/**
 * MC per image; the task costs that × batch_size. `table` keys are a resolution (1K, 2K, 4K) or
 * `*` for any other; the exact resolution wins.
 */
export const imagePriceSchema = z.union([
  z.object({ type: z.literal('flat'), credits: z.number().int().min(0).max(1_000_000) }),
  z.object({
    type: z.literal('table'),
    table: z.record(z.string(), z.number().int().min(0).max(1_000_000)),
  }),
]);
export type ImagePriceRule = z.infer<typeof imagePriceSchema>;
export const videoPriceSchema = videoModelSchema.shape.price;
export type VideoPriceRule = VideoModelConfig['price'];

export interface PriceQuote {
  estimated_credits: number;
  explain: string;
}

/** Who last set a model's price; `null` while the configured default applies. */
export interface PriceSource {
  price_source: 'default' | 'custom';
  price_updated_by: string | null;
  /** The staff member's username (or display name) for the admin. */
  price_updated_by_name: string | null;
  price_updated_at: string | null;
}

export interface PriceChangeView {
  id: string;
  kind: 'image' | 'video';
  model_id: string;
  old_price: unknown;
  new_price: unknown;
  changed_by: string;
  changed_by_name: string | null;
  created_at: string;
}

interface Deps {
  prices: ModelPriceRepository;
  unitOfWork: UnitOfWork;
  ids: IdGenerator;
  clock: Clock;
  /** Image models members may pick (their ids are what staff price). */
  imageModels: () => string[];
  videoModels: VideoModelConfig[];
  /** The image default while staff set no rule: ANIME_IMAGE_CREDITS_PER_IMAGE for every model. */
  defaultCreditsPerImage: number;
  /** Every change also goes to the one audit log of staff actions (the trace reads it there). */
  audit: AuditLog;
}

const rowId = (kind: 'image' | 'video', modelId: string) => `${kind}:${modelId}`;

/**
 * Prices of image and video models. Each model's rule is the configured default until staff set
 * one; the set rule lives in the database (read on every quote and charge, so every server node
 * charges the price staff see) and each change is kept in an audit table.
 */
export class ModelPricesService {
  constructor(private readonly deps: Deps) {}

  /** The image rule while staff set none: ANIME_IMAGE_CREDITS_PER_IMAGE per image. */
  defaultImageRule(): ImagePriceRule {
    return { type: 'flat', credits: this.deps.defaultCreditsPerImage };
  }

  /** The rule that applies to an image model now. */
  async imageRule(modelId: string): Promise<ImagePriceRule> {
    const row = await this.deps.prices.price(rowId('image', modelId));
    return row ? imagePriceSchema.parse(JSON.parse(row.price)) : this.defaultImageRule();
  }

  /** The rule that applies to a video model now. */
  async videoRule(model: VideoModelConfig): Promise<VideoPriceRule> {
    const row = await this.deps.prices.price(rowId('video', model.id));
    return row ? videoPriceSchema.parse(JSON.parse(row.price)) : model.price;
  }

  /** What `batch_size` images at `resolution` (1K/2K/4K) cost; the explain names the rule used. */
  async quoteImage(modelId: string, resolution: string, batchSize: number): Promise<PriceQuote> {
    const rule = await this.imageRule(modelId);
    const perImage = imageUnitPrice(rule, resolution);
    if (perImage === undefined) throw new ValidationError(`${modelId} has no price for ${resolution}`);
    const credits = perImage * batchSize;
    return {
      estimated_credits: credits,
      explain: `${modelId}, ${resolution}: ${perImage} MC × ${batchSize} image${batchSize === 1 ? '' : 's'} = ${credits} MC`,
    };
  }

  /** Where each listed model's price comes from (for the staff models page). */
  async sources(): Promise<Map<string, PriceSource & { rule: unknown }>> {
    const rows = await this.deps.prices.prices();
    const names = await this.deps.prices.userNames(rows.map((row) => row.updated_by));
    return new Map(
      rows.map((row) => [
        row.id,
        {
          price_source: 'custom' as const,
          price_updated_by: row.updated_by,
          price_updated_by_name: names.get(row.updated_by) ?? null,
          price_updated_at: new Date(row.updated_at).toISOString(),
          rule: JSON.parse(row.price) as unknown,
        },
      ]),
    );
  }

  /**
   * Staff set (or, with `null`, reset to the default) a model's price rule. The rule must price
   * every option a member can ask for, so no request meets "no price" at charge time.
   */
  async setPrice(
    actor: Actor,
    input: { kind: 'image' | 'video'; modelId: string; price: unknown },
  ): Promise<{ kind: 'image' | 'video'; model_id: string; price: unknown } & PriceSource> {
    if (!isStaff(actor)) throw new ForbiddenError('Only staff can change prices');
    let rule: ImagePriceRule | VideoPriceRule | null = null;
    if (input.kind === 'image') {
      if (!this.deps.imageModels().includes(input.modelId)) throw unknownModel(input.modelId);
      if (input.price !== null) rule = checkImageRule(parseRule(imagePriceSchema, input.price));
    } else {
      const model = this.deps.videoModels.find((each) => each.id === input.modelId);
      if (!model) throw unknownModel(input.modelId);
      if (input.price !== null) rule = checkVideoRule(model, parseRule(videoPriceSchema, input.price));
    }
    const { prices } = this.deps;
    const id = rowId(input.kind, input.modelId);
    const now = this.deps.clock.now();
    await this.deps.unitOfWork.run(async (transaction) => {
      const previous = await prices.price(id, transaction);
      if (rule === null) await prices.removePrice(id, transaction);
      else
        await prices.savePrice(
          {
            id,
            kind: input.kind,
            model_id: input.modelId,
            price: JSON.stringify(rule),
            updated_by: actor.id,
            updated_at: now,
          },
          transaction,
        );
      await prices.addChange(
        {
          id: this.deps.ids.uuid(),
          kind: input.kind,
          model_id: input.modelId,
          old_price: previous?.price ?? null,
          new_price: rule === null ? null : JSON.stringify(rule),
          changed_by: actor.id,
          created_at: now,
        },
        transaction,
      );
      await this.deps.audit.record(
        actor,
        'model_price.set',
        { kind: 'model_price', id },
        previous ? { price: JSON.parse(previous.price) as unknown } : { price: 'default' },
        { price: rule ?? 'default' },
        { transaction },
      );
    });
    const effective =
      rule ??
      (input.kind === 'image'
        ? await this.imageRule(input.modelId)
        : this.deps.videoModels.find((each) => each.id === input.modelId)!.price);
    return {
      kind: input.kind,
      model_id: input.modelId,
      price: effective,
      price_source: rule === null ? 'default' : 'custom',
      price_updated_by: rule === null ? null : actor.id,
      price_updated_by_name: rule === null ? null : (actor.username ?? actor.displayName),
      price_updated_at: rule === null ? null : now.toISOString(),
    };
  }

  /** Staff: the latest price changes, newest first. */
  async changes(actor: Actor, limit = 50): Promise<PriceChangeView[]> {
    if (!isStaff(actor)) throw new ForbiddenError('Only staff can read price changes');
    const rows = await this.deps.prices.changes(Math.min(Math.max(limit, 1), 200));
    const names = await this.deps.prices.userNames(rows.map((row) => row.changed_by));
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind as 'image' | 'video',
      model_id: row.model_id,
      old_price: row.old_price === null ? null : (JSON.parse(row.old_price) as unknown),
      new_price: row.new_price === null ? null : (JSON.parse(row.new_price) as unknown),
      changed_by: row.changed_by,
      changed_by_name: names.get(row.changed_by) ?? null,
      created_at: new Date(row.created_at).toISOString(),
    }));
  }
}

/** The per-image price of `resolution` under `rule`, or undefined when the rule has none. */
export function imageUnitPrice(rule: ImagePriceRule, resolution: string): number | undefined {
  if (rule.type === 'flat') return rule.credits;
  return rule.table[resolution.toUpperCase()] ?? rule.table['*'];
}

/** The video price of one variant (resolution or mode) and duration; most specific key wins. */
export function videoUnitPrice(rule: VideoPriceRule, variant: string, seconds: number): number | undefined {
  if (rule.type === 'flat') return rule.credits;
  const key = [`${variant}:${seconds}`, `${variant}:*`, `*:${seconds}`, '*:*'].find(
    (each) => rule.table[each] !== undefined,
  );
  return key === undefined ? undefined : rule.table[key];
}

function unknownModel(modelId: string): AppError {
  return new AppError('MODEL_NOT_FOUND', `Unknown model ${modelId}`, { status: 404 });
}

function parseRule<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new ValidationError(
      'price must be {type:"flat",credits} or {type:"table",table:{key:credits}} with whole, non-negative MC',
      parsed.error.issues,
    );
  return parsed.data;
}

function checkImageRule(rule: ImagePriceRule): ImagePriceRule {
  if (rule.type === 'flat') return rule;
  const keys = Object.keys(rule.table);
  const known = [...IMAGE_RESOLUTIONS, '*'] as string[];
  const stray = keys.filter((key) => !known.includes(key));
  if (stray.length) throw new ValidationError(`Unknown price keys ${stray.join(', ')} (use 1K, 2K, 4K or *)`);
  const missing = IMAGE_RESOLUTIONS.filter((resolution) => imageUnitPrice(rule, resolution) === undefined);
  if (missing.length) throw new ValidationError(`No price for ${missing.join(', ')}`);
  return rule;
}

function checkVideoRule(model: VideoModelConfig, rule: VideoPriceRule): VideoPriceRule {
  if (rule.type === 'flat') return rule;
  const variants = model.resolutions.length ? model.resolutions : model.modes.length ? model.modes : ['*'];
  const stray = Object.keys(rule.table).filter((key) => {
    const [variant, seconds, ...rest] = key.split(':');
    return (
      rest.length > 0 ||
      seconds === undefined ||
      !(variant === '*' || variants.includes(variant!)) ||
      !(seconds === '*' || model.durations.includes(Number(seconds)))
    );
  });
  if (stray.length)
    throw new ValidationError(
      `Unknown price keys ${stray.join(', ')} for ${model.name} (use <${[...variants, '*'].join('|')}>:<${[...model.durations, '*'].join('|')}>)`,
    );
  const missing = variants.flatMap((variant) =>
    model.durations
      .filter((seconds) => videoUnitPrice(rule, variant, seconds) === undefined)
      .map((seconds) => `${variant === '*' ? 'any' : variant} ${seconds} s`),
  );
  if (missing.length) throw new ValidationError(`No price for ${missing.join(', ')}`);
  return rule;
}
