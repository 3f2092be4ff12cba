import { Tag } from 'antd';
import {
  CheckCircleOutlined,
  ClockCircleOutlined,
  CloseCircleOutlined,
  MinusCircleOutlined,
  SyncOutlined,
} from '@ant-design/icons';
import { useTranslate } from '@refinedev/core';

const LOOK: Record<number, { color: string; icon: React.ReactNode }> = {
  0: { color: 'default', icon: <ClockCircleOutlined /> },
  1: { color: 'processing', icon: <SyncOutlined spin /> },
  2: { color: 'success', icon: <CheckCircleOutlined /> },
  3: { color: 'error', icon: <CloseCircleOutlined /> },
  4: { color: 'default', icon: <MinusCircleOutlined /> },
};

export function GenerationStatusTag({ value }: { value: unknown }) {
  const t = useTranslate();
  const status = Number(value);
  const look = LOOK[status];
  if (!look) return <Tag>{t('jimeng_records.status.unknown', { value: String(value) })}</Tag>;
  return (
    <Tag color={look.color} icon={look.icon} style={{ marginInlineEnd: 0 }}>
      {t(`jimeng_records.status.${status}`)}
    </Tag>
  );
}

/** `site_used` is 0 for China or a Dreamina region code; shown like the accounts page does. */
export function siteUsedLabel(t: ReturnType<typeof useTranslate>, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  const key = String(value);
  return t(`jimeng_accounts.site.short.${key}`, key.toUpperCase());
}
