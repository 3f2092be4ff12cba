import type { ReactNode } from 'react';
import { Input, Space } from 'antd';
import { MediaUploadButton } from './media-upload-button';

export interface MediaFieldProps {
  /** Injected by Form.Item. */
  value?: string | null;
  onChange?: (value: string) => void;
  id?: string;
}

interface MediaUrlInputProps extends MediaFieldProps {
  /** The server's upload route; it answers with the stored file's URL. */
  uploadPath: string;
  accept: string;
  placeholder: string;
  testId: string;
  /** Shown under the field once it holds a URL, so staff see (or hear) it before saving. */
  preview: (url: string) => ReactNode;
}

/**
 * A catalog media field: typed as a URL or uploaded (the field then holds the stored file's URL),
 * with a preview under it. The form's rule checks that the browser can load it (checkMediaLoads);
 * the server never fetches what staff type.
 */
export function MediaUrlInput({
  value,
  onChange,
  id,
  uploadPath,
  accept,
  placeholder,
  testId,
  preview,
}: MediaUrlInputProps) {
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space.Compact style={{ width: '100%' }}>
        <Input
          id={id}
          value={value ?? ''}
          onChange={(event) => onChange?.(event.target.value.trim())}
          placeholder={placeholder}
          allowClear
          inputMode="url"
        />
        <MediaUploadButton
          path={uploadPath}
          accept={accept}
          onUploaded={(url) => onChange?.(url)}
          testId={testId}
        />
      </Space.Compact>
      {value && preview(value)}
    </Space>
  );
}
