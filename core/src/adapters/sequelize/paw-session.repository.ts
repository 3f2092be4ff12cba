import type { PawSessionRepository } from '../../story/paw-session.repository.js';
import type { StoryModels } from './story.models.js';

/** The `paw_sessions` table. */
export function sequelizePawSessionRepository({
  PawSession,
}: Pick<StoryModels, 'PawSession'>): PawSessionRepository {
  return {
    async session(userId) {
      return (await PawSession.findByPk(userId))?.get({ plain: true }) ?? null;
    },
    async save({ user_id, ...fields }) {
      const existing = await PawSession.findByPk(user_id);
      if (existing) await existing.update(fields);
      else await PawSession.create({ user_id, ...fields });
    },
    async touch(userId, lastLoginAt) {
      await PawSession.update({ last_login_at: lastLoginAt }, { where: { user_id: userId } });
    },
  };
}
