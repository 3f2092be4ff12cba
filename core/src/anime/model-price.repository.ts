/**
 * Staff-set price rules of image and video models (`anime_model_prices`, one per `<kind>:<model>`)
 * and their audit trail (`anime_model_price_changes`). Its Sequelize adapter is the file of the same
 * name in the adapters folder.
 */
import type { TransactionHandle } from '../shared/unit-of-work.js';

export interface ModelPriceRecord {
  /** `<kind>:<model id>` */
  id: string;
  /** image | video */
  kind: string;
  model_id: string;
  /** JSON price rule (ImagePriceRule or VideoModelConfig['price']). */
  price: string;
  updated_by: string;
  updated_at: Date;
}

export interface PriceChangeRecord {
  id: string;
  kind: string;
  model_id: string;
  /** JSON; null when the configured default applied. */
  old_price: string | null;
  /** JSON; null when the change went back to the configured default. */
  new_price: string | null;
  changed_by: string;
  created_at: Date;
}

export interface ModelPriceRepository {
  /** The set rule of one model, read inside `transaction` when given. */
  price(id: string, transaction?: TransactionHandle): Promise<ModelPriceRecord | null>;
  /** Every set rule. */
  prices(): Promise<ModelPriceRecord[]>;
  /** Writes a model's rule (creates or replaces it). */
  savePrice(price: ModelPriceRecord, transaction: TransactionHandle): Promise<void>;
  /** Removes a model's rule: the configured default applies again. */
  removePrice(id: string, transaction: TransactionHandle): Promise<void>;
  addChange(change: PriceChangeRecord, transaction: TransactionHandle): Promise<void>;
  /** The latest changes, newest first. */
  changes(limit: number): Promise<PriceChangeRecord[]>;
  /** Each user's username, else display name (users with neither are left out). */
  userNames(userIds: string[]): Promise<Map<string, string>>;
}
