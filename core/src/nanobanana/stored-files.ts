import type { BlobStorage } from '../ports/blob-storage.port.js';
import type { Logger } from '../shared/logger.js';

/**
 * Deletes stored files one by one, skipping empty keys. A file that cannot be removed is logged,
 * not fatal (contract 004: 记录警告但不影响整体流程): the rows it belonged to are gone already.
 */
export async function deleteStoredFiles(
  storage: BlobStorage,
  logger: Logger,
  keys: readonly (string | null)[],
): Promise<void> {
  for (const key of keys) {
    if (!key) continue;
    await storage.delete(key).catch((error: unknown) => {
      logger.warn({ key, err: error instanceof Error ? error.message : String(error) }, 'file delete failed');
    });
  }
}
