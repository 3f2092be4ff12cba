import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

import { bool, date, int, pk, str, text } from './column-types.js';

/* Row types mirror migrations/0005-anime-credits.ts; the migration owns the schema. */

export class CreditAccountRow extends Model<
  InferAttributes<CreditAccountRow>,
  InferCreationAttributes<CreditAccountRow>
> {
  declare user_id: string;
  declare balance: CreationOptional<number>;
  declare updated_at: Date;
}

export class CreditLedgerRow extends Model<
  InferAttributes<CreditLedgerRow>,
  InferCreationAttributes<CreditLedgerRow>
> {
  declare id: string;
  declare user_id: string;
  /** grant | charge | refund */
  declare kind: string;
  /** Signed: grants and refunds are positive, charges negative. */
  declare amount: number;
  declare balance_after: number;
  declare idempotency_key: string;
  declare task_id: string | null;
  declare actor_id: string | null;
  declare note: string | null;
  declare created_at: Date;
}

export class ProviderJobRow extends Model<
  InferAttributes<ProviderJobRow>,
  InferCreationAttributes<ProviderJobRow>
> {
  declare task_id: string;
  declare provider: string;
  declare upstream_id: string;
  declare state: CreationOptional<string>;
  declare polls: CreationOptional<number>;
  /** Set when a member cancelled (migration 0010): the upstream task is abandoned, its result ignored. */
  declare cancelled_at: CreationOptional<Date | null>;
  declare cancel_reason: CreationOptional<string | null>;
  declare created_at: Date;
  declare updated_at: Date;
}

/** A staff-set price rule replacing a model's configured default (migration 0010). */
export class AnimeModelPriceRow extends Model<
  InferAttributes<AnimeModelPriceRow>,
  InferCreationAttributes<AnimeModelPriceRow>
> {
  /** `<kind>:<model id>` */
  declare id: string;
  /** image | video */
  declare kind: string;
  declare model_id: string;
  /** JSON price rule (ImagePriceRule or VideoModelConfig['price']). */
  declare price: string;
  declare updated_by: string;
  declare updated_at: Date;
}

/** Audit: one row per price change, with who made it and the rule before and after. */
export class AnimeModelPriceChangeRow extends Model<
  InferAttributes<AnimeModelPriceChangeRow>,
  InferCreationAttributes<AnimeModelPriceChangeRow>
> {
  declare id: string;
  declare kind: string;
  declare model_id: string;
  /** JSON; null when the configured default applied. */
  declare old_price: string | null;
  /** JSON; null when the change went back to the configured default. */
  declare new_price: string | null;
  declare changed_by: string;
  declare created_at: Date;
}

/** Audit trail of staff setting a member's plan (free/pro), shaped like the price changes. */
export class MemberPlanChangeRow extends Model<
  InferAttributes<MemberPlanChangeRow>,
  InferCreationAttributes<MemberPlanChangeRow>
> {
  declare id: string;
  declare user_id: string;
  declare old_plan: string;
  declare new_plan: string;
  declare changed_by: string;
  declare created_at: Date;
}

export class AnimePromptTemplateRow extends Model<
  InferAttributes<AnimePromptTemplateRow>,
  InferCreationAttributes<AnimePromptTemplateRow>
> {
  declare id: string;
  declare template_key: string;
  declare name: string;
  declare template: string;
  declare variables: string;
  declare llm_instructions: string | null;
  declare is_active: CreationOptional<boolean>;
  declare created_at: Date;
  declare updated_at: Date;
}

export class AnimePresetRow extends Model<
  InferAttributes<AnimePresetRow>,
  InferCreationAttributes<AnimePresetRow>
> {
  declare id: string;
  declare kind: string;
  declare preset_key: string;
  declare name: string;
  declare prompt: string;
  declare sort_order: CreationOptional<number>;
  declare is_active: CreationOptional<boolean>;
  declare created_at: Date;
  declare updated_at: Date;
}

export interface AnimeModels {
  CreditAccount: typeof CreditAccountRow;
  CreditLedger: typeof CreditLedgerRow;
  ProviderJob: typeof ProviderJobRow;
  AnimePromptTemplate: typeof AnimePromptTemplateRow;
  AnimePreset: typeof AnimePresetRow;
  AnimeModelPrice: typeof AnimeModelPriceRow;
  AnimeModelPriceChange: typeof AnimeModelPriceChangeRow;
  MemberPlanChange: typeof MemberPlanChangeRow;
}

export function defineAnimeModels(sequelize: Sequelize): AnimeModels {
  const options = (tableName: string) => ({ sequelize, tableName, timestamps: false });
  class CreditAccount extends CreditAccountRow {}
  CreditAccount.init(
    {
      user_id: pk(),
      balance: int(0),
      updated_at: date(),
    },
    options('credit_accounts'),
  );
  class CreditLedger extends CreditLedgerRow {}
  CreditLedger.init(
    {
      id: pk(),
      user_id: str(36),
      kind: str(16),
      amount: int(),
      balance_after: int(),
      idempotency_key: str(191),
      task_id: str(36, true),
      actor_id: str(36, true),
      note: str(255, true),
      created_at: date(),
    },
    options('credit_ledger'),
  );
  class ProviderJob extends ProviderJobRow {}
  ProviderJob.init(
    {
      task_id: pk(),
      provider: str(16),
      upstream_id: str(128),
      state: { ...str(16), defaultValue: 'running' },
      polls: int(0),
      cancelled_at: date(true),
      cancel_reason: str(255, true),
      created_at: date(),
      updated_at: date(),
    },
    options('provider_jobs'),
  );
  class AnimePromptTemplate extends AnimePromptTemplateRow {}
  AnimePromptTemplate.init(
    {
      id: pk(),
      template_key: str(64),
      name: str(128),
      template: text(),
      variables: text(),
      llm_instructions: text(true),
      is_active: bool(true),
      created_at: date(),
      updated_at: date(),
    },
    options('anime_prompt_templates'),
  );
  class AnimePreset extends AnimePresetRow {}
  AnimePreset.init(
    {
      id: pk(),
      kind: str(16),
      preset_key: str(64),
      name: str(128),
      prompt: text(),
      sort_order: int(0),
      is_active: bool(true),
      created_at: date(),
      updated_at: date(),
    },
    options('anime_presets'),
  );
  class AnimeModelPrice extends AnimeModelPriceRow {}
  AnimeModelPrice.init(
    {
      id: { type: DataTypes.STRING(100), primaryKey: true },
      kind: str(8),
      model_id: str(64),
      price: text(),
      updated_by: str(36),
      updated_at: date(),
    },
    options('anime_model_prices'),
  );
  class AnimeModelPriceChange extends AnimeModelPriceChangeRow {}
  AnimeModelPriceChange.init(
    {
      id: pk(),
      kind: str(8),
      model_id: str(64),
      old_price: text(true),
      new_price: text(true),
      changed_by: str(36),
      created_at: date(),
    },
    options('anime_model_price_changes'),
  );
  class MemberPlanChange extends MemberPlanChangeRow {}
  MemberPlanChange.init(
    {
      id: pk(),
      user_id: str(36),
      old_plan: str(8),
      new_plan: str(8),
      changed_by: str(36),
      created_at: date(),
    },
    options('member_plan_changes'),
  );
  return {
    CreditAccount,
    CreditLedger,
    ProviderJob,
    AnimePromptTemplate,
    AnimePreset,
    AnimeModelPrice,
    AnimeModelPriceChange,
    MemberPlanChange,
  };
}
