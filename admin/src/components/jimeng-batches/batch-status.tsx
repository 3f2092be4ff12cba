import { Progress, Space, Tag, Tooltip, Typography, theme } from 'antd';
import {
  CheckCircleOutlined,
  ClockCircleOutlined,
  CloseCircleOutlined,
  ExclamationCircleOutlined,
  MinusCircleOutlined,
  SyncOutlined,
} from '@ant-design/icons';
import { useTranslate } from '@refinedev/core';
import type { BatchCounts } from './types';

const STATUS_LOOK: Record<string, { color: string; icon: React.ReactNode }> = {
  pending: { color: 'default', icon: <ClockCircleOutlined /> },
  processing: { color: 'processing', icon: <SyncOutlined spin /> },
  completed: { color: 'success', icon: <CheckCircleOutlined /> },
  partial_failed: { color: 'warning', icon: <ExclamationCircleOutlined /> },
  failed: { color: 'error', icon: <CloseCircleOutlined /> },
  cancelled: { color: 'default', icon: <MinusCircleOutlined /> },
};

/** Status of a batch or of one storyboard in it; unknown values from a newer server show raw. */
export function BatchStatusTag({ status }: { status: string | undefined }) {
  const t = useTranslate();
  const value = status ?? '';
  const look = STATUS_LOOK[value] ?? { color: 'default', icon: null };
  return (
    <Tag color={look.color} icon={look.icon} data-status={value} style={{ marginInlineEnd: 0 }}>
      {t(`jimeng_batches.status.${value}`, value || '—')}
    </Tag>
  );
}

export function BatchTypeTag({ type }: { type: string | undefined }) {
  const t = useTranslate();
  const value = type ?? '';
  return (
    <Tag color={value.startsWith('video') ? 'purple' : 'cyan'} bordered={false}>
      {t(`jimeng_batches.type.${value}`, value || '—')}
    </Tag>
  );
}

/** Progress bar with done/failed/running counts on hover; failures colour the bar. */
export function BatchProgress({ counts, status }: { counts: BatchCounts; status?: string }) {
  const t = useTranslate();
  const { token } = theme.useToken();
  const done = counts.completed_count + counts.failed_count;
  const percent = Math.round(
    (Number.isFinite(counts.progress) ? counts.progress : done / Math.max(counts.total_count, 1)) * 100,
  );
  const success = Math.round((counts.completed_count / Math.max(counts.total_count, 1)) * 100);
  const state =
    status === 'failed' || status === 'cancelled'
      ? 'exception'
      : status === 'processing' || status === 'pending'
        ? 'active'
        : counts.failed_count > 0
          ? 'normal'
          : 'success';
  return (
    <Tooltip
      title={
        <Space direction="vertical" size={0}>
          <span>{t('jimeng_batches.counts.completed', { count: counts.completed_count })}</span>
          <span>{t('jimeng_batches.counts.failed', { count: counts.failed_count })}</span>
          <span>{t('jimeng_batches.counts.processing', { count: counts.processing_count })}</span>
          <span>{t('jimeng_batches.counts.pending', { count: counts.pending_count })}</span>
        </Space>
      }
    >
      <div style={{ minWidth: 140 }}>
        <Progress
          percent={percent}
          success={{ percent: success, strokeColor: token.colorSuccess }}
          // The part beyond the green (completed) share is failures once any failed.
          strokeColor={counts.failed_count > 0 ? token.colorError : undefined}
          status={state}
          size="small"
          format={() => `${done}/${counts.total_count}`}
        />
        {counts.failed_count > 0 && (
          <Typography.Text type="danger" style={{ fontSize: 12 }}>
            {t('jimeng_batches.counts.failed', { count: counts.failed_count })}
          </Typography.Text>
        )}
      </div>
    </Tooltip>
  );
}
