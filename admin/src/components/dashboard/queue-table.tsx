import { Table } from 'antd';
import { useTranslate } from '@refinedev/core';
import { ResponsiveTable, shownFrom } from '../responsive-table';
import type { SystemOverview } from './overview-types';

type QueueRow = SystemOverview['queues'][number];

/** Jobs per queue right now (not windowed); a dash where Redis did not answer. */
export function QueueTable({ queues }: { queues: SystemOverview['queues'] }) {
  const t = useTranslate();
  const count = (value: number | null) => (value === null ? t('overview.cards.noData') : value);
  return (
    <ResponsiveTable
      dataSource={queues}
      rowKey="name"
      size="small"
      pagination={false}
      data-testid="queue-table"
      onRow={(row: QueueRow) => ({ 'data-testid': `queue-${row.name}` }) as object}
    >
      <Table.Column<QueueRow> dataIndex="name" title={t('overview.queues.name')} />
      <Table.Column<QueueRow>
        dataIndex="waiting"
        title={t('overview.queues.waiting')}
        align="right"
        render={count}
      />
      <Table.Column<QueueRow>
        dataIndex="active"
        title={t('overview.queues.active')}
        align="right"
        render={count}
      />
      <Table.Column<QueueRow>
        dataIndex="delayed"
        title={t('overview.queues.delayed')}
        align="right"
        responsive={shownFrom('sm')}
        render={count}
      />
      <Table.Column<QueueRow>
        dataIndex="failed"
        title={t('overview.queues.failed')}
        align="right"
        responsive={shownFrom('sm')}
        render={count}
      />
    </ResponsiveTable>
  );
}
