import { Routes, type REST } from 'discord.js';
import type { Logger } from '../shared/logger.js';

/**
 * A story's thread once the story ended: archived (it leaves the channel's thread list) and
 * locked (members cannot reopen it by writing; moderators still can), so nobody talks to
 * characters who no longer answer. Locking needs Manage Threads; without it, this is logged.
 */
export async function closeStoryThread(rest: REST, threadId: string, logger: Logger): Promise<void> {
  try {
    await rest.patch(Routes.channel(threadId), { body: { archived: true, locked: true } });
  } catch (error) {
    logger.warn('Story thread could not be archived and locked', { threadId, error });
  }
}
