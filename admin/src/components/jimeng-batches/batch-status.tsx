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
import { progressView } from './batch-progress';
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

/**
 * Progress over the items the batch runs: green is completed, the rest of the bar the other ended
 * items (red once any failed, grey when they were cancelled); the text is completed of run, as the
 * server's `progress`. Failed and cancelled items are named below the bar.
 */
export function BatchProgress({ counts, status }: { counts: BatchCounts; status?: string }) {
  const t = useTranslate();
  const { token } = theme.useToken();
  const view = progressView(counts, status);
  return (
    <Tooltip
      title={
        <Space direction="vertical" size={0}>
          <span>{t('jimeng_batches.counts.completed', { count: counts.completed_count })}</span>
          <span>{t('jimeng_batches.counts.failed', { count: view.failed })}</span>
          <span>{t('jimeng_batches.counts.cancelled', { count: view.cancelled })}</span>
          <span>{t('jimeng_batches.counts.processing', { count: counts.processing_count })}</span>
          <span>{t('jimeng_batches.counts.pending', { count: counts.pending_count })}</span>
        </Space>
      }
    >
      <div style={{ minWidth: 140 }} data-testid="batch-progress">
        <Progress
          percent={view.percent}
          success={{ percent: view.success, strokeColor: token.colorSuccess }}
          strokeColor={
            view.rest === 'failed'
              ? token.colorError
              : view.rest === 'cancelled'
                ? token.colorTextQuaternary
                : undefined
          }
          status={view.state}
          size="small"
          format={() => view.text}
        />
        <Space size={8}>
          {view.failed > 0 && (
            <Typography.Text type="danger" style={{ fontSize: 12 }}>
              {t('jimeng_batches.counts.failed', { count: view.failed })}
            </Typography.Text>
          )}
          {view.cancelled > 0 && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('jimeng_batches.counts.cancelled', { count: view.cancelled })}
            </Typography.Text>
          )}
        </Space>
      </div>
    </Tooltip>
  );
}
