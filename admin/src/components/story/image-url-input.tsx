import { Image, Input, Space } from 'antd';
import { useTranslate } from '@refinedev/core';
import { IMAGE_FALLBACK } from './media-fallback';
import { MediaUploadButton } from './media-upload-button';

/** Contract 002's image upload: stored re-encoded, answered with its public URL. */
const UPLOAD_PATH = '/api/v1/images/upload';
const ACCEPT = 'image/jpeg,image/png,image/gif,image/webp';

interface ImageUrlInputProps {
  /** Injected by Form.Item. */
  value?: string | null;
  onChange?: (value: string) => void;
  id?: string;
}

/**
 * A catalog picture (thumbnail, avatar, icon): typed as a URL or uploaded through the server's
 * image upload (the field then holds the stored file's URL), with a preview that shows a
 * placeholder when the URL does not load. The form's rule reports why (see checkMediaLoads).
 */
export function ImageUrlInput({ value, onChange, id }: ImageUrlInputProps) {
  const t = useTranslate();
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space.Compact style={{ width: '100%' }}>
        <Input
          id={id}
          value={value ?? ''}
          onChange={(event) => onChange?.(event.target.value.trim())}
          placeholder="https://…"
          allowClear
          inputMode="url"
        />
        <MediaUploadButton
          path={UPLOAD_PATH}
          accept={ACCEPT}
          onUploaded={(url) => onChange?.(url)}
          testId="image-upload"
        />
      </Space.Compact>
      {value && (
        <Image
          src={value}
          fallback={IMAGE_FALLBACK}
          width={96}
          height={96}
          style={{ objectFit: 'cover', borderRadius: 6 }}
          alt={t('story.media.preview')}
        />
      )}
    </Space>
  );
}
