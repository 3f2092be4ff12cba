import type {
  ModelPriceRecord,
  ModelPriceRepository,
  PriceChangeRecord,
} from '../../anime/model-price.repository.js';
import type { TransactionHandle } from '../../shared/unit-of-work.js';
import type { AnimeModels } from './anime.models.js';
import { userNames } from './member-plan.repository.js';
import type { DreamloomModels } from './models.js';
import { sequelizeTransaction } from './unit-of-work.js';

/** Model price rules and their changes on Sequelize (`anime_model_prices`, `anime_model_price_changes`). */
export class SequelizeModelPriceRepository implements ModelPriceRepository {
  constructor(
    private readonly models: Pick<DreamloomModels, 'User'> &
      Pick<AnimeModels, 'AnimeModelPrice' | 'AnimeModelPriceChange'>,
  ) {}

  price(id: string, transaction?: TransactionHandle): Promise<ModelPriceRecord | null> {
    return this.models.AnimeModelPrice.findByPk(id, { transaction: sequelizeTransaction(transaction) });
  }

  prices(): Promise<ModelPriceRecord[]> {
    return this.models.AnimeModelPrice.findAll();
  }

  async savePrice(price: ModelPriceRecord, transaction: TransactionHandle): Promise<void> {
    await this.models.AnimeModelPrice.upsert(price, { transaction: sequelizeTransaction(transaction) });
  }

  async removePrice(id: string, transaction: TransactionHandle): Promise<void> {
    await this.models.AnimeModelPrice.destroy({
      where: { id },
      transaction: sequelizeTransaction(transaction),
    });
  }

  async addChange(change: PriceChangeRecord, transaction: TransactionHandle): Promise<void> {
    await this.models.AnimeModelPriceChange.create(change, {
      transaction: sequelizeTransaction(transaction),
    });
  }

  changes(limit: number): Promise<PriceChangeRecord[]> {
    return this.models.AnimeModelPriceChange.findAll({
      order: [
        ['created_at', 'DESC'],
        ['id', 'DESC'],
      ],
      limit,
    });
  }

  userNames(userIds: string[]): Promise<Map<string, string>> {
    return userNames(this.models.User, userIds);
  }
}
