import type { MediaAssetRecord } from '../media/media-asset.js';
import type { MediaService } from '../media/media.service.js';
import type { TaskOutputEvent } from './generation.types.js';

/**
 * The `outputs` of a task's completed event, in the order given (callers pass the stored assets by
 * position). One builder for the engine's single-job end and its fan-out settlement, so a listener of
 * TaskEvents.completed sees the same shape whichever path ended the task.
 */
export function taskOutputs(
  media: Pick<MediaService, 'view'>,
  assets: readonly MediaAssetRecord[],
): TaskOutputEvent[] {
  return assets.map((asset) => {
    const view = media.view(asset);
    return {
      url: view.url,
      thumbnailUrl: view.thumbnailUrl,
      width: view.width,
      height: view.height,
      mime: view.mime,
    };
  });
}
