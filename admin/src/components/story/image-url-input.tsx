import { Image } from 'antd';
import { useTranslate } from '@refinedev/core';
import { IMAGE_FALLBACK } from './media-fallback';
import { MediaUrlInput, type MediaFieldProps } from './media-url-input';

/**
 * A catalog picture (thumbnail, avatar, icon) by URL or through contract 002's image upload (stored
 * re-encoded), with a preview that shows a placeholder when the URL does not load.
 */
export function ImageUrlInput(props: MediaFieldProps) {
  const t = useTranslate();
  return (
    <MediaUrlInput
      {...props}
      uploadPath="/api/v1/images/upload"
      accept="image/jpeg,image/png,image/gif,image/webp"
      placeholder="https://…"
      testId="image-upload"
      preview={(url) => (
        <Image
          src={url}
          fallback={IMAGE_FALLBACK}
          width={96}
          height={96}
          style={{ objectFit: 'cover', borderRadius: 6 }}
          alt={t('story.media.preview')}
        />
      )}
    />
  );
}
