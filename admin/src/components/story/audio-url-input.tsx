import { Input, Space } from 'antd';
import { useTranslate } from '@refinedev/core';
import { MediaUploadButton } from './media-upload-button';

/** Staff music upload: mp3, ogg, wav or flac (by their bytes), answered with a /media/ URL. */
const UPLOAD_PATH = '/api/v1/story-admin/music/upload';
const ACCEPT = '.mp3,.ogg,.wav,.flac,audio/mpeg,audio/ogg,audio/wav,audio/flac';

interface AudioUrlInputProps {
  /** Injected by Form.Item. */
  value?: string | null;
  onChange?: (value: string) => void;
  id?: string;
}

/**
 * A music track: typed as a URL or uploaded (the field then holds the stored file's URL), with a
 * player under it so staff listen before saving; the form's rule checks that the browser can load
 * it as audio (checkMediaLoads) and says so when it cannot.
 */
export function AudioUrlInput({ value, onChange, id }: AudioUrlInputProps) {
  const t = useTranslate();
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space.Compact style={{ width: '100%' }}>
        <Input
          id={id}
          value={value ?? ''}
          onChange={(event) => onChange?.(event.target.value.trim())}
          placeholder="https://…/track.mp3"
          allowClear
          inputMode="url"
        />
        <MediaUploadButton
          path={UPLOAD_PATH}
          accept={ACCEPT}
          onUploaded={(url) => onChange?.(url)}
          testId="audio-upload"
        />
      </Space.Compact>
      {value && (
        <audio
          key={value}
          controls
          preload="metadata"
          src={value}
          aria-label={t('story.media.player')}
          style={{ width: '100%', maxWidth: 420 }}
        />
      )}
    </Space>
  );
}
