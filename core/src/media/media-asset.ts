/**
 * One stored media file (`media_assets`): a task's output, a member's upload or a story asset, as
 * core reads it. The Sequelize model (MediaAssetRow in the adapters' models.ts) has these columns.
 */
export interface MediaAssetRecord {
  id: string;
  task_id: string | null;
  user_id: string | null;
  position: number;
  kind: string;
  storage_key: string;
  thumbnail_key: string | null;
  mime: string;
  width: number | null;
  height: number | null;
  size_bytes: number;
  original_name: string | null;
  created_at: Date;
}
