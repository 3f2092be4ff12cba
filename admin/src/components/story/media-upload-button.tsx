import { App, Button, Upload } from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import { useTranslate, type HttpError } from '@refinedev/core';
import { useState } from 'react';
import { uploadFile } from '../../providers/api-client';

interface MediaUploadButtonProps {
  /** The server's upload route (multipart field `file`), answering `{url}`. */
  path: string;
  /** What the file picker offers. */
  accept: string;
  /** The stored file's URL, once uploaded. */
  onUploaded: (url: string) => void;
  testId: string;
}

/** Uploads one file to the server and hands back its stored URL; the outcome is a message. */
export function MediaUploadButton({ path, accept, onUploaded, testId }: MediaUploadButtonProps) {
  const t = useTranslate();
  const { message } = App.useApp();
  const [uploading, setUploading] = useState(false);
  return (
    <Upload
      accept={accept}
      showUploadList={false}
      customRequest={({ file, onSuccess, onError }) => {
        const blob = file as File;
        setUploading(true);
        uploadFile<{ url: string }>(path, blob, blob.name)
          .then((stored) => {
            onSuccess?.(stored);
            onUploaded(stored.url);
            message.success(t('story.media.uploaded', { name: blob.name }));
          })
          .catch((error: HttpError) => {
            onError?.(new Error(error.message));
            message.error(t('story.media.uploadFailed', { reason: error.message }));
          })
          .finally(() => setUploading(false));
      }}
    >
      <Button icon={<UploadOutlined />} loading={uploading} data-testid={testId}>
        {t('story.media.upload')}
      </Button>
    </Upload>
  );
}
