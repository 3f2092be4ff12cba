import { useState } from 'react';
import { Image, Modal, Space, Typography } from 'antd';
import { PlayCircleOutlined } from '@ant-design/icons';
import { useTranslate } from '@refinedev/core';

interface MediaThumbsProps {
  kind: 'image' | 'video';
  /** Full-size results (image or video URLs). */
  urls?: readonly string[] | null;
  /** Small previews, index-aligned with `urls` when the server has them. */
  thumbs?: readonly string[] | null;
  size?: number;
  max?: number;
}

/**
 * Result previews in a table cell: images open antd's previewer; videos show their thumbnail (or a
 * play tile) and open a player. Nothing yet shows a dash.
 */
export function MediaThumbs({ kind, urls, thumbs, size = 48, max = 4 }: MediaThumbsProps) {
  const t = useTranslate();
  const [playing, setPlaying] = useState<string | null>(null);
  const list = (urls ?? []).filter(Boolean);
  if (list.length === 0) return <Typography.Text type="secondary">—</Typography.Text>;
  const shown = list.slice(0, max);
  const more = list.length - shown.length;

  if (kind === 'image') {
    return (
      <Image.PreviewGroup>
        <Space size={4} data-testid="media-thumbs">
          {shown.map((url, index) => (
            <Image
              key={url}
              src={thumbs?.[index] || url}
              width={size}
              height={size}
              style={{ objectFit: 'cover', borderRadius: 4 }}
              preview={{ src: url }}
              alt={t('media.imageAlt', { index: index + 1 })}
            />
          ))}
          {more > 0 && <Typography.Text type="secondary">+{more}</Typography.Text>}
        </Space>
      </Image.PreviewGroup>
    );
  }

  return (
    <>
      <Space size={4} data-testid="media-thumbs">
        {shown.map((url, index) => (
          <button
            type="button"
            key={url}
            onClick={() => setPlaying(url)}
            title={t('media.play')}
            aria-label={t('media.play')}
            style={{
              position: 'relative',
              width: size,
              height: size,
              padding: 0,
              border: 0,
              borderRadius: 4,
              overflow: 'hidden',
              cursor: 'pointer',
              background: '#1f1f1f',
            }}
          >
            {thumbs?.[index] && (
              <img
                src={thumbs[index]}
                alt=""
                style={{ width: '100%', height: '100%', objectFit: 'cover', display: 'block' }}
              />
            )}
            <PlayCircleOutlined
              style={{ position: 'absolute', inset: 0, margin: 'auto', fontSize: size / 2.4, color: '#fff' }}
            />
          </button>
        ))}
        {more > 0 && <Typography.Text type="secondary">+{more}</Typography.Text>}
      </Space>
      <Modal
        open={playing !== null}
        footer={null}
        width={760}
        onCancel={() => setPlaying(null)}
        destroyOnHidden
        title={t('media.video')}
      >
        {playing && <video src={playing} controls autoPlay style={{ width: '100%', maxHeight: '70vh' }} />}
      </Modal>
    </>
  );
}

/** Full-size preview for a detail view: every image, or a player per video. */
export function MediaPreview({ kind, urls, thumbs }: Omit<MediaThumbsProps, 'size' | 'max'>) {
  const t = useTranslate();
  const list = (urls ?? []).filter(Boolean);
  if (list.length === 0) {
    return <Typography.Text type="secondary">{t('media.none')}</Typography.Text>;
  }
  if (kind === 'video') {
    return (
      <Space direction="vertical" style={{ width: '100%' }} data-testid="media-preview">
        {list.map((url, index) => (
          <video
            key={url}
            src={url}
            poster={thumbs?.[index] || undefined}
            controls
            preload="metadata"
            style={{ width: '100%', maxWidth: 720, maxHeight: 420, background: '#000', borderRadius: 6 }}
          />
        ))}
      </Space>
    );
  }
  return (
    <Image.PreviewGroup>
      <Space wrap size={8} data-testid="media-preview">
        {list.map((url, index) => (
          <Image
            key={url}
            src={url}
            width={list.length === 1 ? 360 : 170}
            style={{ borderRadius: 6 }}
            alt={t('media.imageAlt', { index: index + 1 })}
          />
        ))}
      </Space>
    </Image.PreviewGroup>
  );
}
