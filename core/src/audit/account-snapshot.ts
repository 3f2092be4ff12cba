import type { AccountRow } from '../accounts/account.repository.js';

export type AccountSnapshot = Record<string, string | number | boolean | null>;

/**
 * What the audit log keeps of a provider account before and after a staff change: the fields staff
 * edit and the pool state a reset clears. The session appears only as its mask.
 */
export function accountSnapshot(row: AccountRow): AccountSnapshot {
  return {
    name: row.name,
    account_type: row.account_type,
    site_type: row.site_type,
    session_mask: row.secret_mask,
    account_status: row.account_status,
    image_generation_status: row.image_generation_status,
    video_generation_status: row.video_generation_status,
    priority: row.priority,
    max_concurrent: row.max_concurrent,
    cooldown_level: row.cooldown_level,
    status_reason: row.status_reason,
    is_deleted: row.is_deleted,
  };
}
