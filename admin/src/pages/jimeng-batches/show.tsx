import { useState } from 'react';
import { useParams } from 'react-router';
import {
  Alert,
  Badge,
  Button,
  Card,
  Col,
  Descriptions,
  Row,
  Space,
  Statistic,
  Table,
  Tooltip,
  Typography,
} from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { Show } from '@refinedev/antd';
import { useLink, useTranslate } from '@refinedev/core';
import { DateTime } from '../../components/date-time';
import { ResponsiveTable, shownFrom } from '../../components/responsive-table';
import { BatchActions } from '../../components/jimeng-batches/batch-actions';
import { BatchProgress, BatchStatusTag, BatchTypeTag } from '../../components/jimeng-batches/batch-status';
import { useBatchLive, type LiveMode } from '../../components/jimeng-batches/use-batch-live';
import { ITEM_STATUSES, mediaKind, type BatchItem } from '../../components/jimeng-batches/types';
import { MediaThumbs } from '../../components/media/media-thumbs';

const MONO = 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';

function LiveIndicator({ mode }: { mode: LiveMode }) {
  const t = useTranslate();
  const status = mode === 'live' ? 'processing' : mode === 'polling' ? 'warning' : 'default';
  return (
    <Tooltip title={t(`jimeng_batches.live.${mode}Help`)}>
      <Badge status={status} text={t(`jimeng_batches.live.${mode}`)} data-testid="batch-live-mode" />
    </Tooltip>
  );
}

export function JimengBatchShow() {
  const t = useTranslate();
  const Link = useLink();
  const { id } = useParams<{ id: string }>();
  const { detail, error, loading, mode, reload } = useBatchLive(id);
  const [selected, setSelected] = useState<string[]>([]);
  const kind = mediaKind(detail?.batch_type);

  return (
    <Show
      isLoading={loading && !detail}
      title={t('jimeng_batches.titles.show')}
      headerButtons={() => (
        <Space wrap>
          {detail && <LiveIndicator mode={mode} />}
          <Button icon={<ReloadOutlined />} onClick={() => void reload()}>
            {t('buttons.refresh')}
          </Button>
          {detail && (
            <BatchActions
              detail={detail}
              selected={selected}
              onDone={() => {
                setSelected([]);
                void reload();
              }}
            />
          )}
        </Space>
      )}
    >
      {error && !detail && <Alert type="error" showIcon message={error.message} />}
      {detail && (
        <Space direction="vertical" size="large" style={{ width: '100%' }}>
          <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 4 }} bordered>
            <Descriptions.Item label={t('jimeng_batches.fields.batch_id')}>
              <Typography.Text copyable style={{ fontFamily: MONO, fontSize: 12 }}>
                {detail.batch_id}
              </Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t('jimeng_batches.fields.batch_type')}>
              <BatchTypeTag type={String(detail.batch_type)} />
            </Descriptions.Item>
            <Descriptions.Item label={t('jimeng_batches.fields.status')}>
              <span data-testid="batch-status">
                <BatchStatusTag status={String(detail.status)} />
              </span>
            </Descriptions.Item>
            <Descriptions.Item label={t('jimeng_batches.fields.progress')}>
              <BatchProgress counts={detail} status={String(detail.status)} />
            </Descriptions.Item>
            <Descriptions.Item label={t('jimeng_batches.fields.start_time')}>
              <DateTime value={detail.start_time_iso} />
            </Descriptions.Item>
            <Descriptions.Item label={t('jimeng_batches.fields.estimated_completion')}>
              <DateTime value={detail.estimated_completion_iso} />
            </Descriptions.Item>
            {typeof detail.project_name === 'string' && (
              <Descriptions.Item label={t('jimeng_batches.fields.project')}>
                {detail.project_name}
              </Descriptions.Item>
            )}
            {typeof detail.work_id === 'string' && (
              <Descriptions.Item label={t('jimeng_batches.fields.work_id')}>
                {detail.work_id}
              </Descriptions.Item>
            )}
          </Descriptions>

          <Row gutter={[16, 16]}>
            {(['total', 'completed', 'failed', 'cancelled', 'processing', 'pending'] as const).map((key) => (
              <Col key={key} xs={12} sm={8} md={4}>
                <Card size="small">
                  <Statistic
                    title={t(`jimeng_batches.countTitles.${key}`)}
                    value={detail[`${key}_count`] ?? 0}
                    valueStyle={
                      key === 'failed' && detail.failed_count > 0
                        ? { color: '#cf1322' }
                        : key === 'completed'
                          ? { color: '#389e0d' }
                          : undefined
                    }
                  />
                </Card>
              </Col>
            ))}
          </Row>

          <ResponsiveTable
            dataSource={detail.details}
            rowKey="storyboard_id"
            size="middle"
            data-testid="batch-items-table"
            pagination={{ pageSize: 50, showSizeChanger: true, hideOnSinglePage: true }}
            rowSelection={{
              selectedRowKeys: selected,
              onChange: (keys) => setSelected(keys.map(String)),
            }}
            onRow={(row) => ({ 'data-storyboard': row.storyboard_id }) as React.HTMLAttributes<HTMLElement>}
          >
            <Table.Column<BatchItem>
              dataIndex="storyboard_id"
              title={t('jimeng_batches.fields.storyboard_id')}
              render={(value: string) => (
                <Typography.Text style={{ fontFamily: MONO, wordBreak: 'break-all' }}>
                  {value}
                </Typography.Text>
              )}
            />
            <Table.Column<BatchItem>
              dataIndex="status"
              title={t('jimeng_batches.fields.status')}
              width={130}
              filters={ITEM_STATUSES.map((value) => ({ value, text: t(`jimeng_batches.status.${value}`) }))}
              onFilter={(value, row) => row.status === value}
              render={(value: string) => <BatchStatusTag status={value} />}
            />
            <Table.Column<BatchItem>
              key="results"
              title={t('jimeng_batches.fields.results')}
              responsive={shownFrom('sm')}
              width={240}
              render={(_, row) => (
                <MediaThumbs kind={kind} urls={row.result_urls} thumbs={row.thumbnail_urls} />
              )}
            />
            <Table.Column<BatchItem>
              dataIndex="generation_time"
              title={t('jimeng_batches.fields.generation_time')}
              responsive={shownFrom('xl')}
              width={110}
              align="right"
              render={(value: unknown) =>
                typeof value === 'number' ? t('units.seconds', { value: value.toFixed(1) }) : '—'
              }
            />
            <Table.Column<BatchItem>
              dataIndex="retry_count"
              title={t('jimeng_batches.fields.retry_count')}
              responsive={shownFrom('xl')}
              width={90}
              align="center"
              render={(value: unknown) => Number(value ?? 0)}
            />
            <Table.Column<BatchItem>
              dataIndex="error_message"
              title={t('jimeng_batches.fields.error_message')}
              responsive={shownFrom('lg')}
              ellipsis={{ showTitle: false }}
              render={(value: unknown) =>
                value ? (
                  <Tooltip title={String(value)} placement="topLeft">
                    <Typography.Text type="danger">{String(value)}</Typography.Text>
                  </Tooltip>
                ) : (
                  '—'
                )
              }
            />
            <Table.Column<BatchItem>
              dataIndex="record_id"
              title={t('jimeng_batches.fields.record_id')}
              responsive={shownFrom('md')}
              width={120}
              render={(value: unknown) =>
                value ? (
                  <Link to={`/jimeng-records/show/${String(value)}?type=${kind}`}>
                    {t('jimeng_batches.openRecord')}
                  </Link>
                ) : (
                  '—'
                )
              }
            />
          </ResponsiveTable>
        </Space>
      )}
    </Show>
  );
}
