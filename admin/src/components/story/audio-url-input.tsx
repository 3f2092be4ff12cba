import { Input, Space } from 'antd';
import { useTranslate } from '@refinedev/core';

interface AudioUrlInputProps {
  /** Injected by Form.Item. */
  value?: string | null;
  onChange?: (value: string) => void;
  id?: string;
}

/**
 * A music track's URL with a player under it, so staff listen before saving; the form's rule checks
 * that the browser can load it as audio (checkMediaLoads) and says so when it cannot.
 */
export function AudioUrlInput({ value, onChange, id }: AudioUrlInputProps) {
  const t = useTranslate();
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Input
        id={id}
        value={value ?? ''}
        onChange={(event) => onChange?.(event.target.value.trim())}
        placeholder="https://…/track.mp3"
        allowClear
        inputMode="url"
      />
      {value && (
        <audio
          key={value}
          controls
          preload="metadata"
          src={value}
          aria-label={t('story.media.player')}
          data-testid="audio-preview"
          style={{ width: '100%', maxWidth: 420 }}
        />
      )}
    </Space>
  );
}
