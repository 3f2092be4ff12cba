import { useTranslate } from '@refinedev/core';
import { MediaUrlInput, type MediaFieldProps } from './media-url-input';

/**
 * A music track by URL or through the staff music upload (mp3, ogg, wav or flac, recognised by
 * their bytes), with a player under it so staff listen before saving.
 */
export function AudioUrlInput(props: MediaFieldProps) {
  const t = useTranslate();
  return (
    <MediaUrlInput
      {...props}
      uploadPath="/api/v1/story-admin/music/upload"
      accept=".mp3,.ogg,.wav,.flac,audio/mpeg,audio/ogg,audio/wav,audio/flac"
      placeholder="https://…/track.mp3"
      testId="audio-upload"
      preview={(url) => (
        <audio
          key={url}
          controls
          preload="metadata"
          src={url}
          aria-label={t('story.media.player')}
          style={{ width: '100%', maxWidth: 420 }}
        />
      )}
    />
  );
}
