import { useRef, useState } from 'react';
import { Badge, Button, Form, Grid, Input, Select, Space, Table, Tooltip, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { List, RefreshButton, ShowButton, getDefaultFilter, useTable } from '@refinedev/antd';
import { useTranslate, type HttpError } from '@refinedev/core';
import { DateTime } from '../../components/date-time';
import { ResponsiveTable, shownFrom } from '../../components/responsive-table';
import { BatchComposer } from '../../components/jimeng-batches/batch-composer';
import { BatchProgress, BatchStatusTag, BatchTypeTag } from '../../components/jimeng-batches/batch-status';
import { listPollInterval, useBatchListLive } from '../../components/jimeng-batches/use-batch-list-live';
import { BATCH_STATUSES, isActive, type BatchSummary } from '../../components/jimeng-batches/types';

const MONO = 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';

interface BatchFilters {
  status?: string;
  work_id?: string;
}

export function JimengBatchList() {
  const t = useTranslate();
  const [composing, setComposing] = useState(false);
  const phone = !Grid.useBreakpoint().md;
  // New and finished batches arrive over the `batches` room (the table reloads when they do);
  // running batches' counts too, laid over their rows by `live` without a reload.
  const reload = useRef<() => void>(() => undefined);
  const { mode, live } = useBatchListLive(() => reload.current());
  const { tableProps, searchFormProps, filters, result, tableQuery } = useTable<
    BatchSummary,
    HttpError,
    BatchFilters
  >({
    syncWithLocation: true,
    pagination: { pageSize: 20 },
    onSearch: (values) => [
      { field: 'status', operator: 'eq', value: values.status || undefined },
      { field: 'work_id', operator: 'eq', value: values.work_id?.trim() || undefined },
    ],
    // Poll only while the room is not live (then faster while a batch on the list runs).
    queryOptions: {
      refetchInterval: (query) =>
        listPollInterval(mode, query.state.data?.data.some((row) => isActive(String(row.status))) ?? false),
    },
  });
  reload.current = () => void tableQuery.refetch();

  return (
    <List
      headerButtons={() => (
        <Space wrap>
          <Tooltip title={t(`jimeng_batches.live.list_${mode}Help`)}>
            <Badge
              status={mode === 'live' ? 'processing' : mode === 'polling' ? 'warning' : 'default'}
              text={t(`jimeng_batches.live.${mode}`)}
              data-testid="batch-list-live-mode"
            />
          </Tooltip>
          <RefreshButton />
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setComposing(true)}
            data-testid="new-batch"
          >
            {t('jimeng_batches.composer.open')}
          </Button>
        </Space>
      )}
    >
      <BatchComposer open={composing} onClose={() => setComposing(false)} />
      <Typography.Paragraph type="secondary" style={{ marginTop: -8 }}>
        {t('jimeng_batches.description')}
      </Typography.Paragraph>
      {/* On a phone the filters stack, each as wide as the screen. */}
      <Form
        {...searchFormProps}
        layout={phone ? 'vertical' : 'inline'}
        style={{ marginBottom: 16, rowGap: 8 }}
        initialValues={{
          status: getDefaultFilter('status', filters, 'eq'),
          work_id: getDefaultFilter('work_id', filters, 'eq'),
        }}
        onValuesChange={() => searchFormProps.form?.submit()}
      >
        <Form.Item name="status" label={t('jimeng_batches.fields.status')}>
          <Select
            allowClear
            style={{ width: phone ? '100%' : 170 }}
            placeholder={t('jimeng_batches.filters.anyStatus')}
            options={BATCH_STATUSES.map((value) => ({ value, label: t(`jimeng_batches.status.${value}`) }))}
            data-testid="batch-status-filter"
          />
        </Form.Item>
        <Form.Item name="work_id" label={t('jimeng_batches.fields.work_id')}>
          <Input.Search
            allowClear
            style={{ width: phone ? '100%' : 220 }}
            placeholder={t('jimeng_batches.filters.workId')}
            onSearch={() => searchFormProps.form?.submit()}
          />
        </Form.Item>
      </Form>
      <ResponsiveTable
        {...tableProps}
        rowKey="batch_id"
        size="middle"
        data-testid="jimeng-batches-table"
        locale={{ emptyText: t('jimeng_batches.empty') }}
        pagination={{
          ...tableProps.pagination,
          showSizeChanger: true,
          showTotal: () => t('jimeng_batches.total', { total: result.total ?? 0 }),
        }}
      >
        <Table.Column<BatchSummary>
          dataIndex="batch_id"
          title={t('jimeng_batches.fields.batch_id')}
          render={(value: string) => (
            <Typography.Text
              copyable={{ text: value }}
              style={{ fontFamily: MONO, fontSize: 12, wordBreak: 'break-all' }}
            >
              {value}
            </Typography.Text>
          )}
        />
        <Table.Column<BatchSummary>
          dataIndex="batch_type"
          title={t('jimeng_batches.fields.batch_type')}
          responsive={shownFrom('lg')}
          width={120}
          render={(value: string) => <BatchTypeTag type={value} />}
        />
        <Table.Column<BatchSummary>
          key="project"
          title={t('jimeng_batches.fields.project')}
          responsive={shownFrom('md')}
          width={200}
          render={(_, row) => (
            <Space direction="vertical" size={0}>
              <Typography.Text>{row.project_name || row.project_id || '—'}</Typography.Text>
              {row.work_id && (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('jimeng_batches.fields.work_id')}: {row.work_id}
                </Typography.Text>
              )}
            </Space>
          )}
        />
        <Table.Column<BatchSummary>
          dataIndex="status"
          title={t('jimeng_batches.fields.status')}
          width={130}
          render={(_, row) => <BatchStatusTag status={String(live(row).status)} />}
        />
        <Table.Column<BatchSummary>
          key="progress"
          title={t('jimeng_batches.fields.progress')}
          responsive={shownFrom('sm')}
          width={200}
          render={(_, row) => {
            const current = live(row);
            return <BatchProgress counts={current} status={String(current.status)} />;
          }}
        />
        <Table.Column<BatchSummary>
          dataIndex="priority"
          title={t('jimeng_batches.fields.priority')}
          responsive={shownFrom('xxl')}
          width={90}
          render={(value: unknown) =>
            value === undefined || value === null
              ? '—'
              : t(`jimeng_batches.priority.${String(value)}`, String(value))
          }
        />
        <Table.Column<BatchSummary>
          dataIndex="create_time"
          title={t('jimeng_batches.fields.create_time')}
          responsive={shownFrom('xl')}
          render={(_, row) => <DateTime value={row.create_time_iso} />}
        />
        <Table.Column<BatchSummary>
          dataIndex="finish_time"
          title={t('jimeng_batches.fields.finish_time')}
          responsive={shownFrom('xxl')}
          render={(_, row) => <DateTime value={row.finish_time_iso} />}
        />
        <Table.Column<BatchSummary>
          key="actions"
          title={t('jimeng_batches.fields.actions')}
          width={80}
          render={(_, row) => <ShowButton hideText size="small" recordItemId={row.batch_id} />}
        />
      </ResponsiveTable>
    </List>
  );
}
