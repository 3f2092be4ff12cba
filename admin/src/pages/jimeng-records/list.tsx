import { useState } from 'react';
import {
  Button,
  DatePicker,
  Drawer,
  Form,
  Grid,
  Input,
  Radio,
  Select,
  Space,
  Table,
  Tooltip,
  Typography,
} from 'antd';
import { EyeOutlined, ExportOutlined, RedoOutlined } from '@ant-design/icons';
import { DeleteButton, List, RefreshButton, getDefaultFilter, useTable } from '@refinedev/antd';
import { useInvalidate, useLink, useOne, useTranslate, type HttpError } from '@refinedev/core';
import type { Dayjs } from 'dayjs';
import { DateTime } from '../../components/date-time';
import { instantToWallClock, wallClockToInstant } from '../../lib/format-time';
import { useTimeZone } from '../../lib/time-zone';
import { MediaThumbs } from '../../components/media/media-thumbs';
import { ResponsiveTable, shownFrom } from '../../components/responsive-table';
import { RecordDetail } from '../../components/jimeng-records/record-detail';
import { GenerationStatusTag } from '../../components/jimeng-records/record-status';
import { RegenerateModal } from '../../components/jimeng-records/regenerate-modal';
import {
  GENERATION_STATUSES,
  RECORD_TYPES,
  isRecordType,
  resultUrls,
  type GenerationRecord,
  type RecordType,
} from '../../components/jimeng-records/types';

const RESOURCE = 'jimeng_records';

interface RecordFilters {
  type: RecordType;
  work_id?: string;
  generation_status?: number;
  range?: [Dayjs | null, Dayjs | null] | null;
}

export function JimengRecordList() {
  const t = useTranslate();
  const Link = useLink();
  const invalidate = useInvalidate();
  const [viewing, setViewing] = useState<string | null>(null);
  const [regenerating, setRegenerating] = useState<GenerationRecord | null>(null);
  // The range is picked in the staff member's zone and sent as instants (start_time_iso/end_time_iso).
  const zone = useTimeZone();
  const phone = !Grid.useBreakpoint().md;
  const { tableProps, searchFormProps, filters, result, tableQuery } = useTable<
    GenerationRecord,
    HttpError,
    RecordFilters
  >({
    syncWithLocation: true,
    pagination: { pageSize: 20 },
    filters: { initial: [{ field: 'type', operator: 'eq', value: 'image' }] },
    // The list endpoint needs a type: a link whose filters lack one (URL filters replace the initial
    // ones) still lists images. A `type` filter, when present, wins over this meta param.
    meta: { type: 'image' },
    onSearch: (values) => [
      { field: 'type', operator: 'eq', value: values.type },
      { field: 'work_id', operator: 'eq', value: values.work_id?.trim() || undefined },
      { field: 'generation_status', operator: 'eq', value: values.generation_status },
      {
        field: 'start_time_iso',
        operator: 'eq',
        value: values.range?.[0] ? wallClockToInstant(values.range[0], zone) : undefined,
      },
      {
        field: 'end_time_iso',
        operator: 'eq',
        value: values.range?.[1] ? wallClockToInstant(values.range[1], zone) : undefined,
      },
    ],
    queryOptions: { refetchInterval: 15_000 },
  });
  const typeFilter: unknown = getDefaultFilter('type', filters, 'eq');
  const type: RecordType = isRecordType(typeFilter) ? typeFilter : 'image';
  const start = instantToWallClock(getDefaultFilter('start_time_iso', filters, 'eq'), zone);
  const end = instantToWallClock(getDefaultFilter('end_time_iso', filters, 'eq'), zone);
  const refresh = () => {
    void tableQuery.refetch();
    void invalidate({ resource: RESOURCE, invalidates: ['detail'], id: viewing ?? undefined });
  };

  return (
    <List headerButtons={() => <RefreshButton />}>
      {/* On a phone the filters stack, each as wide as the screen. */}
      <Form
        {...searchFormProps}
        layout={phone ? 'vertical' : 'inline'}
        style={{ marginBottom: 16, rowGap: 8 }}
        initialValues={{
          type,
          work_id: getDefaultFilter('work_id', filters, 'eq'),
          generation_status: getDefaultFilter('generation_status', filters, 'eq'),
          range: start || end ? [start, end] : undefined,
        }}
        onValuesChange={(changed: Partial<RecordFilters>) => {
          if (!('work_id' in changed)) searchFormProps.form?.submit();
        }}
      >
        <Form.Item name="type">
          <Radio.Group
            optionType="button"
            buttonStyle="solid"
            options={RECORD_TYPES.map((value) => ({ value, label: t(`jimeng_records.type.${value}`) }))}
          />
        </Form.Item>
        <Form.Item name="work_id" label={t('jimeng_records.fields.work_id')}>
          <Input.Search
            allowClear
            style={{ width: phone ? '100%' : 200 }}
            placeholder={t('jimeng_records.filters.workId')}
            onSearch={() => searchFormProps.form?.submit()}
          />
        </Form.Item>
        <Form.Item name="generation_status" label={t('jimeng_records.fields.generation_status')}>
          <Select
            allowClear
            style={{ width: phone ? '100%' : 140 }}
            placeholder={t('jimeng_records.filters.anyStatus')}
            options={GENERATION_STATUSES.map((value) => ({
              value,
              label: t(`jimeng_records.status.${value}`),
            }))}
          />
        </Form.Item>
        <Form.Item name="range" label={t('jimeng_records.filters.time')}>
          <DatePicker.RangePicker
            showTime
            allowEmpty={[true, true]}
            style={phone ? { width: '100%' } : undefined}
          />
        </Form.Item>
      </Form>

      <ResponsiveTable
        {...tableProps}
        rowKey="id"
        size="middle"
        // Fixed: the columns keep their widths and the prompt takes what is left (ellipsis), rather
        // than the prompt's full text setting the table's width.
        tableLayout="fixed"
        data-testid="jimeng-records-table"
        locale={{ emptyText: t('jimeng_records.empty') }}
        pagination={{
          ...tableProps.pagination,
          showSizeChanger: true,
          showTotal: () => t('jimeng_records.total', { total: result.total ?? 0 }),
        }}
      >
        <Table.Column<GenerationRecord>
          key="result"
          title={t('jimeng_records.fields.results')}
          responsive={shownFrom('sm')}
          width={130}
          render={(_, row) => (
            <MediaThumbs kind={type} urls={resultUrls(row)} thumbs={row.thumbnail_urls} max={2} />
          )}
        />
        <Table.Column<GenerationRecord>
          dataIndex="storyboard_id"
          title={t('jimeng_records.fields.storyboard_id')}
          width={170}
          render={(value: string, row) => (
            <Space direction="vertical" size={0}>
              <Typography.Text strong>{value || '—'}</Typography.Text>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {[row.project_name, row.work_id].filter(Boolean).join(' · ')}
              </Typography.Text>
            </Space>
          )}
        />
        <Table.Column<GenerationRecord>
          dataIndex="prompt"
          responsive={shownFrom('md')}
          title={t('jimeng_records.fields.prompt')}
          ellipsis={{ showTitle: false }}
          render={(value: unknown) => (
            <Tooltip title={String(value ?? '')} placement="topLeft">
              {String(value ?? '—')}
            </Tooltip>
          )}
        />
        <Table.Column<GenerationRecord>
          dataIndex="model"
          responsive={shownFrom('xxl')}
          title={t('jimeng_records.fields.model')}
          width={120}
        />
        <Table.Column<GenerationRecord>
          dataIndex="generation_status"
          title={t('jimeng_records.fields.generation_status')}
          width={120}
          render={(value: unknown, row) =>
            row.error_message ? (
              <Tooltip title={row.error_message}>
                <span>
                  <GenerationStatusTag value={value} />
                </span>
              </Tooltip>
            ) : (
              <GenerationStatusTag value={value} />
            )
          }
        />
        <Table.Column<GenerationRecord>
          dataIndex="account_name"
          responsive={shownFrom('xxl')}
          title={t('jimeng_records.fields.account')}
          width={170}
          ellipsis
          render={(value: unknown, row) => (value ? String(value) : (row.account_id ?? '—'))}
        />
        <Table.Column<GenerationRecord>
          dataIndex="generation_time"
          responsive={shownFrom('xxl')}
          title={t('jimeng_records.fields.generation_time')}
          width={90}
          align="right"
          render={(value: unknown) => (typeof value === 'number' ? t('units.seconds', { value }) : '—')}
        />
        <Table.Column<GenerationRecord>
          dataIndex="create_time"
          responsive={shownFrom('xl')}
          width={170}
          title={t('jimeng_records.fields.create_time')}
          render={(_, row) => <DateTime value={row.create_time_iso} />}
        />
        <Table.Column<GenerationRecord>
          key="actions"
          title={t('jimeng_records.fields.actions')}
          responsive={shownFrom('sm')}
          width={110}
          render={(_, row) => (
            <Space size={4}>
              <Tooltip title={t('jimeng_records.actions.view')}>
                <Button
                  size="small"
                  icon={<EyeOutlined />}
                  aria-label={t('jimeng_records.actions.view')}
                  onClick={() => setViewing(row.id)}
                />
              </Tooltip>
              <Tooltip title={t('jimeng_records.actions.regenerate')}>
                <Button
                  size="small"
                  icon={<RedoOutlined />}
                  aria-label={t('jimeng_records.actions.regenerate')}
                  disabled={!row.storyboard_id}
                  onClick={() => setRegenerating(row)}
                />
              </Tooltip>
              <DeleteButton
                hideText
                size="small"
                recordItemId={row.id}
                meta={{ type }}
                confirmTitle={t('jimeng_records.actions.deleteConfirm', {
                  storyboard: row.storyboard_id ?? row.id,
                })}
              />
            </Space>
          )}
        />
      </ResponsiveTable>

      <Drawer
        open={viewing !== null}
        onClose={() => setViewing(null)}
        width={720}
        title={t('jimeng_records.titles.show')}
        destroyOnHidden
        extra={
          viewing && (
            <Link to={`/jimeng-records/show/${viewing}?type=${type}`}>
              <Button icon={<ExportOutlined />}>{t('jimeng_records.actions.openPage')}</Button>
            </Link>
          )
        }
      >
        {viewing && <RecordDrawerBody id={viewing} type={type} onRegenerate={setRegenerating} />}
      </Drawer>
      <RegenerateModal
        type={type}
        record={regenerating}
        onClose={() => setRegenerating(null)}
        onDone={refresh}
      />
    </List>
  );
}

function RecordDrawerBody({
  id,
  type,
  onRegenerate,
}: {
  id: string;
  type: RecordType;
  onRegenerate: (record: GenerationRecord) => void;
}) {
  const t = useTranslate();
  const { result, query } = useOne<GenerationRecord, HttpError>({ resource: RESOURCE, id, meta: { type } });
  if (query.isLoading) return <Typography.Text type="secondary">{t('loading')}</Typography.Text>;
  if (query.isError || !result) {
    return (
      <Typography.Text type="danger">{query.error?.message ?? t('jimeng_records.notFound')}</Typography.Text>
    );
  }
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Button icon={<RedoOutlined />} onClick={() => onRegenerate(result)} disabled={!result.storyboard_id}>
        {t('jimeng_records.actions.regenerate')}
      </Button>
      <RecordDetail record={result} type={type} />
    </Space>
  );
}
