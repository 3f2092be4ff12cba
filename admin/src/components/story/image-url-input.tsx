import { App, Button, Image, Input, Space, Upload } from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import { useTranslate, type HttpError } from '@refinedev/core';
import { useState } from 'react';
import { uploadFile } from '../../providers/api-client';
import { IMAGE_FALLBACK } from './media-fallback';

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
  const { message } = App.useApp();
  const [uploading, setUploading] = useState(false);
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
        <Upload
          accept={ACCEPT}
          showUploadList={false}
          customRequest={({ file, onSuccess, onError }) => {
            const blob = file as File;
            setUploading(true);
            uploadFile<{ url: string }>(UPLOAD_PATH, blob, blob.name)
              .then((stored) => {
                onSuccess?.(stored);
                onChange?.(stored.url);
                message.success(t('story.media.uploaded', { name: blob.name }));
              })
              .catch((error: HttpError) => {
                onError?.(new Error(error.message));
                message.error(t('story.media.uploadFailed', { reason: error.message }));
              })
              .finally(() => setUploading(false));
          }}
        >
          <Button icon={<UploadOutlined />} loading={uploading} data-testid="image-upload">
            {t('story.media.upload')}
          </Button>
        </Upload>
      </Space.Compact>
      {value && (
        <Image
          src={value}
          fallback={IMAGE_FALLBACK}
          width={96}
          height={96}
          style={{ objectFit: 'cover', borderRadius: 6 }}
          alt={t('story.media.preview')}
          data-testid="image-preview"
        />
      )}
    </Space>
  );
}
