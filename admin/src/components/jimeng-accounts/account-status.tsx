import { Badge, Tag, Tooltip } from 'antd';
import { PictureOutlined, VideoCameraOutlined } from '@ant-design/icons';
import { useTranslate } from '@refinedev/core';
import type { AccountStatus, JimengAccount } from './types';

const STATUS_BADGE: Record<AccountStatus, 'success' | 'error' | 'warning' | 'default'> = {
  0: 'success',
  1: 'error',
  2: 'warning',
  3: 'default',
};

function isKnownStatus(value: unknown): value is AccountStatus {
  return value === 0 || value === 1 || value === 2 || value === 3;
}

interface AccountStatusBadgeProps {
  value: unknown;
  /** The scheduler's reason for the status (e.g. "rate limited"), shown on hover. */
  reason?: string | null;
  cooldownUntil?: string | null;
}

export function AccountStatusBadge({ value, reason, cooldownUntil }: AccountStatusBadgeProps) {
  const t = useTranslate();
  const status = typeof value === 'string' ? Number(value) : value;
  if (!isKnownStatus(status)) {
    return <Badge status="default" text={t('jimeng_accounts.status.unknown', { value: String(value) })} />;
  }
  const help = (
    <>
      <div>{reason || t(`jimeng_accounts.statusHelp.${status}`)}</div>
      {status === 2 && cooldownUntil && (
        <div>{t('jimeng_accounts.cooldownUntil', { time: cooldownUntil })}</div>
      )}
    </>
  );
  return (
    <Tooltip title={help}>
      <Badge status={STATUS_BADGE[status]} text={t(`jimeng_accounts.status.${status}`)} />
    </Tooltip>
  );
}

export function GenerationTag({ on, kind }: { on: unknown; kind: 'image' | 'video' }) {
  const t = useTranslate();
  const enabled = Number(on) === 1;
  const state = t(`jimeng_accounts.generation.${enabled ? 'on' : 'off'}`);
  const what = t(`jimeng_accounts.fields.${kind}_generation_status`);
  return (
    <Tooltip title={enabled ? `${what} · ${state}` : `${what} · ${t('jimeng_accounts.generation.offHelp')}`}>
      <Tag
        color={enabled ? 'green' : 'default'}
        icon={kind === 'image' ? <PictureOutlined /> : <VideoCameraOutlined />}
        style={{ marginInlineEnd: 4 }}
      >
        {state}
      </Tag>
    </Tooltip>
  );
}

export function AccountTypeTag({ value }: { value: unknown }) {
  const t = useTranslate();
  const overseas = Number(value) === 1;
  return (
    <Tag color={overseas ? 'geekblue' : 'volcano'} bordered={false}>
      {t(`jimeng_accounts.accountType.${overseas ? 1 : 0}`)}
    </Tag>
  );
}

/** Site label; unknown regions from a newer server show as their raw code. */
export function siteKey(value: JimengAccount['site_type'] | string | number | null | undefined): string {
  if (value === 0 || value === '0') return '0';
  return String(value ?? '');
}

export function SiteLabel({ value }: { value: unknown }) {
  const t = useTranslate();
  const key = siteKey(value as string);
  if (!key) return <>—</>;
  return (
    <Tooltip title={t(`jimeng_accounts.site.${key}`, key.toUpperCase())}>
      <span>{t(`jimeng_accounts.site.short.${key}`, key.toUpperCase())}</span>
    </Tooltip>
  );
}
