import { Badge, Table, Typography } from 'antd';
import { useTranslate } from '@refinedev/core';
import { ResponsiveTable, shownFrom } from '../responsive-table';
import { formatPercent, formatSeconds } from './format-seconds';
import {
  FAMILY_COLORS,
  type FamilyFigures,
  type GenerationFamily,
  type SystemOverview,
} from './overview-types';

type FamilyRow = FamilyFigures & { family: GenerationFamily | 'all' };

/**
 * Every generation family's figures in the window, and all of them together on the last row. On
 * a phone the outcome columns move into each row's detail (ResponsiveTable).
 */
export function FamilyTable({ overview }: { overview: SystemOverview }) {
  const t = useTranslate();
  const rows: FamilyRow[] = [...overview.families, { family: 'all', ...overview.totals }];
  const none = t('overview.cards.noData');
  const seconds = (value: number | null) => {
    const text = formatSeconds(value);
    return text === null ? none : t('units.seconds', { value: text });
  };
  return (
    <ResponsiveTable
      dataSource={rows}
      rowKey="family"
      size="small"
      pagination={false}
      data-testid="family-table"
      onRow={(row: FamilyRow) => ({ 'data-testid': `family-${row.family}` }) as object}
    >
      <Table.Column<FamilyRow>
        dataIndex="family"
        title={t('overview.families.family')}
        render={(family: FamilyRow['family']) =>
          family === 'all' ? (
            <Typography.Text strong>{t('overview.families.totals')}</Typography.Text>
          ) : (
            <Badge color={FAMILY_COLORS[family]} text={t(`overview.family.${family}`, family)} />
          )
        }
      />
      <Table.Column<FamilyRow> dataIndex="total" title={t('overview.families.total')} align="right" />
      <Table.Column<FamilyRow>
        key="completed"
        title={t('overview.families.completed')}
        align="right"
        responsive={shownFrom('md')}
        // Fan-outs with some outputs stored count as done, as in the success rate.
        render={(_, row) => row.completed + row.partial}
      />
      <Table.Column<FamilyRow>
        dataIndex="failed"
        title={t('overview.families.failed')}
        align="right"
        responsive={shownFrom('md')}
      />
      <Table.Column<FamilyRow>
        dataIndex="cancelled"
        title={t('overview.families.cancelled')}
        align="right"
        responsive={shownFrom('lg')}
      />
      <Table.Column<FamilyRow>
        dataIndex="pending"
        title={t('overview.families.pending')}
        align="right"
        responsive={shownFrom('lg')}
      />
      <Table.Column<FamilyRow>
        dataIndex="success_rate"
        title={t('overview.families.successRate')}
        align="right"
        responsive={shownFrom('sm')}
        render={(rate: number | null) => {
          const text = formatPercent(rate);
          return text === null ? none : `${text}%`;
        }}
      />
      <Table.Column<FamilyRow>
        dataIndex="avg_seconds"
        title={t('overview.families.avg')}
        align="right"
        render={(value: number | null) => <span data-testid="family-avg">{seconds(value)}</span>}
      />
      <Table.Column<FamilyRow>
        dataIndex="p95_seconds"
        title={t('overview.families.p95')}
        align="right"
        responsive={shownFrom('sm')}
        render={(value: number | null) => <span data-testid="family-p95">{seconds(value)}</span>}
      />
    </ResponsiveTable>
  );
}
