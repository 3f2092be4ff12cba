import { Op } from 'sequelize';
import type { MemberPlanRepository, PlanChangeRecord } from '../../anime/member-plan.repository.js';
import type { TransactionHandle } from '../../shared/unit-of-work.js';
import type { AnimeModels } from './anime.models.js';
import type { DreamloomModels } from './models.js';
import { sequelizeTransaction } from './unit-of-work.js';

/** Members' plans on Sequelize: `users.role` and the `member_plan_changes` audit table. */
export class SequelizeMemberPlanRepository implements MemberPlanRepository {
  constructor(
    private readonly models: Pick<DreamloomModels, 'User'> & Pick<AnimeModels, 'MemberPlanChange'>,
  ) {}

  async role(userId: string): Promise<string | null> {
    const user = await this.models.User.findByPk(userId, { attributes: ['id', 'role'] });
    return user?.role ?? null;
  }

  async lockedRole(userId: string, transaction: TransactionHandle): Promise<string | null> {
    const t = sequelizeTransaction(transaction)!;
    const user = await this.models.User.findByPk(userId, { transaction: t, lock: t.LOCK.UPDATE });
    return user?.role ?? null;
  }

  async setRole(userId: string, role: string, at: Date, transaction: TransactionHandle): Promise<void> {
    await this.models.User.update(
      { role, updated_at: at },
      { where: { id: userId }, transaction: sequelizeTransaction(transaction) },
    );
  }

  async addChange(change: PlanChangeRecord, transaction: TransactionHandle): Promise<void> {
    await this.models.MemberPlanChange.create(change, { transaction: sequelizeTransaction(transaction) });
  }

  changes(userId: string | undefined, limit: number): Promise<PlanChangeRecord[]> {
    return this.models.MemberPlanChange.findAll({
      where: userId ? { user_id: userId } : {},
      order: [['created_at', 'DESC']],
      limit,
    });
  }

  userNames(userIds: string[]): Promise<Map<string, string>> {
    return userNames(this.models.User, userIds);
  }
}

/** Each user's username, else display name; users with neither are left out. */
export async function userNames(
  User: DreamloomModels['User'],
  userIds: string[],
): Promise<Map<string, string>> {
  const unique = [...new Set(userIds)];
  if (!unique.length) return new Map();
  const users = await User.findAll({
    where: { id: { [Op.in]: unique } },
    attributes: ['id', 'username', 'display_name'],
  });
  return new Map(
    users.flatMap((user) => {
      const name = user.username ?? user.display_name;
      return name ? [[user.id, name] as [string, string]] : [];
    }),
  );
}
