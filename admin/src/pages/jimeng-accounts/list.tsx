import { useState } from 'react';
import { Badge, Button, Popconfirm, Space, Table, Tooltip, Typography, theme } from 'antd';
import {
  DeleteOutlined,
  PictureOutlined,
  PlusOutlined,
  UndoOutlined,
  VideoCameraOutlined,
} from '@ant-design/icons';
import {
  CreateButton,
  DeleteButton,
  EditButton,
  List,
  RefreshButton,
  getDefaultFilter,
  useTable,
} from '@refinedev/antd';
import { useTranslate, type BaseKey, type HttpError } from '@refinedev/core';
import {
  AccountStatusBadge,
  AccountTypeTag,
  GenerationTag,
  SiteLabel,
} from '../../components/jimeng-accounts/account-status';
import { AccountStats } from '../../components/jimeng-accounts/account-stats';
import { ResponsiveTable, shownFrom } from '../../components/responsive-table';
import { DateTime } from '../../components/date-time';
import { formatInstant } from '../../lib/format-time';
import { useTimeZone } from '../../lib/time-zone';
import { TestAccountButton, useAccountTest } from '../../components/jimeng-accounts/test-account';
import { useAccountActions } from '../../components/jimeng-accounts/use-account-actions';
import { ACCOUNT_STATUSES, SITE_TYPES, type JimengAccount } from '../../components/jimeng-accounts/types';

const MONO = 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';

export function JimengAccountList() {
  const t = useTranslate();
  const timeZone = useTimeZone();
  const { token } = theme.useToken();
  const [selected, setSelected] = useState<BaseKey[]>([]);
  const { resetStatus, resettingId, deleteSelected, deletingSelected } = useAccountActions();
  const accountTest = useAccountTest();
  const { tableProps, filters, result } = useTable<JimengAccount, HttpError>({
    syncWithLocation: true,
    pagination: { pageSize: 20 },
    // Counts, in-flight jobs and statuses move while staff watch; keep the page fresh.
    queryOptions: { refetchInterval: 15_000 },
  });
  const none = t('jimeng_accounts.none');

  return (
    <List
      headerButtons={() => (
        <Space wrap>
          {selected.length > 0 && (
            <Popconfirm
              title={t('jimeng_accounts.actions.deleteSelectedConfirm', { count: selected.length })}
              okButtonProps={{ danger: true }}
              onConfirm={() => deleteSelected(selected, () => setSelected([]))}
            >
              <Button danger icon={<DeleteOutlined />} loading={deletingSelected}>
                {t('jimeng_accounts.actions.deleteSelected', { count: selected.length })}
              </Button>
            </Popconfirm>
          )}
          <RefreshButton />
          <CreateButton icon={<PlusOutlined />}>{t('jimeng_accounts.actions.bulkAdd')}</CreateButton>
        </Space>
      )}
    >
      <Typography.Paragraph type="secondary" style={{ marginTop: -8 }}>
        {t('jimeng_accounts.description')}
      </Typography.Paragraph>
      <AccountStats />
      {accountTest.dialog}
      <ResponsiveTable
        {...tableProps}
        rowKey="id"
        size="middle"
        data-testid="jimeng-accounts-table"
        locale={{ emptyText: t('jimeng_accounts.empty') }}
        rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys.map(String)) }}
        pagination={{
          ...tableProps.pagination,
          showSizeChanger: true,
          pageSizeOptions: [10, 20, 50, 100],
          showTotal: () => t('jimeng_accounts.total', { total: result.total ?? 0 }),
        }}
      >
        <Table.Column<JimengAccount>
          dataIndex="jimeng_account"
          title={t('jimeng_accounts.fields.jimeng_account')}
          width={220}
          render={(account: string, row) => (
            <Space direction="vertical" size={0}>
              <Typography.Text strong>{account}</Typography.Text>
              <Tooltip title={t('jimeng_accounts.fields.session_id')}>
                <Typography.Text type="secondary" style={{ fontFamily: MONO, fontSize: 12 }}>
                  {row.session_id}
                </Typography.Text>
              </Tooltip>
            </Space>
          )}
        />
        <Table.Column<JimengAccount>
          dataIndex="jimeng_account_type"
          title={t('jimeng_accounts.fields.jimeng_account_type')}
          responsive={shownFrom('xl')}
          width={80}
          render={(value: unknown) => <AccountTypeTag value={value} />}
        />
        <Table.Column<JimengAccount>
          key="site_type"
          dataIndex="site_type"
          title={t('jimeng_accounts.fields.site_type')}
          responsive={shownFrom('xl')}
          width={130}
          filterMultiple={false}
          filters={SITE_TYPES.map((value) => ({
            value: String(value),
            text: t(`jimeng_accounts.site.${value}`),
          }))}
          filteredValue={getDefaultFilter('site_type', filters, 'in') ?? null}
          render={(value: unknown) => <SiteLabel value={value} />}
        />
        <Table.Column<JimengAccount>
          key="account_status"
          dataIndex="account_status"
          title={t('jimeng_accounts.fields.account_status')}
          width={120}
          filterMultiple={false}
          filters={ACCOUNT_STATUSES.map((value) => ({
            value: String(value),
            text: t(`jimeng_accounts.status.${value}`),
          }))}
          filteredValue={getDefaultFilter('account_status', filters, 'in') ?? null}
          render={(value: unknown, row) => (
            <AccountStatusBadge
              value={value}
              reason={row.status_reason}
              cooldownUntil={formatInstant(row.cooldown_until_iso, timeZone)}
            />
          )}
        />
        <Table.Column<JimengAccount>
          dataIndex="last_error"
          title={t('jimeng_accounts.fields.last_error')}
          responsive={shownFrom('xxl')}
          width={180}
          ellipsis={{ showTitle: false }}
          render={(value: unknown, row) =>
            value ? (
              <Tooltip
                placement="topLeft"
                title={
                  row.last_error_time_iso
                    ? `${formatInstant(row.last_error_time_iso, timeZone)} · ${String(value)}`
                    : String(value)
                }
              >
                <Typography.Text type="danger">{String(value)}</Typography.Text>
              </Tooltip>
            ) : (
              <Typography.Text type="secondary">{none}</Typography.Text>
            )
          }
        />
        <Table.Column<JimengAccount>
          key="generation"
          title={t('jimeng_accounts.fields.generation')}
          responsive={shownFrom('lg')}
          width={150}
          render={(_, row) => (
            <Space size={0} wrap>
              <GenerationTag kind="image" on={row.image_generation_status} />
              <GenerationTag kind="video" on={row.video_generation_status} />
            </Space>
          )}
        />
        <Table.Column<JimengAccount>
          key="today"
          title={t('jimeng_accounts.fields.today')}
          responsive={shownFrom('xxl')}
          width={100}
          render={(_, row) => (
            <Space size="middle">
              <Tooltip title={t('jimeng_accounts.fields.image_count')}>
                <span>
                  <PictureOutlined style={{ color: token.colorTextSecondary }} /> {row.image_count ?? 0}
                </span>
              </Tooltip>
              <Tooltip title={t('jimeng_accounts.fields.video_count')}>
                <span>
                  <VideoCameraOutlined style={{ color: token.colorTextSecondary }} /> {row.video_count ?? 0}
                </span>
              </Tooltip>
            </Space>
          )}
        />
        <Table.Column<JimengAccount>
          dataIndex="in_flight"
          title={t('jimeng_accounts.fields.in_flight')}
          responsive={shownFrom('lg')}
          width={90}
          align="center"
          render={(value: unknown, row) => {
            const count = Number(value ?? 0);
            const limit = row.max_concurrent;
            return (
              <Tooltip title={limit ? `${t('jimeng_accounts.fields.max_concurrent')}: ${limit}` : undefined}>
                <Space size={4}>
                  {count > 0 ? (
                    <Badge count={count} color={token.colorPrimary} />
                  ) : (
                    <Typography.Text type="secondary">0</Typography.Text>
                  )}
                  {limit ? <Typography.Text type="secondary">/ {limit}</Typography.Text> : null}
                </Space>
              </Tooltip>
            );
          }}
        />
        <Table.Column<JimengAccount>
          dataIndex="credits"
          title={t('jimeng_accounts.fields.credits')}
          responsive={shownFrom('md')}
          width={100}
          align="right"
          render={(value: unknown, row) => (
            <Tooltip
              title={
                row.credits_checked_time_iso
                  ? t('jimeng_accounts.creditsCheckedAt', {
                      time: formatInstant(row.credits_checked_time_iso, timeZone),
                    })
                  : t('jimeng_accounts.creditsNeverChecked')
              }
            >
              {typeof value === 'number' ? (
                <span data-testid="account-credits">{value.toLocaleString()}</span>
              ) : (
                <Typography.Text type="secondary">{none}</Typography.Text>
              )}
            </Tooltip>
          )}
        />
        <Table.Column<JimengAccount>
          dataIndex="quota_reset_time"
          title={t('jimeng_accounts.fields.quota_reset_time')}
          responsive={shownFrom('xxl')}
          width={120}
          render={(_, row) => <DateTime value={row.quota_reset_time_iso} />}
        />
        <Table.Column<JimengAccount>
          dataIndex="create_time"
          title={t('jimeng_accounts.fields.create_time')}
          responsive={shownFrom('xxl')}
          width={110}
          render={(_, row) => <DateTime value={row.create_time_iso} />}
        />
        <Table.Column<JimengAccount>
          key="actions"
          title={t('jimeng_accounts.fields.actions')}
          responsive={shownFrom('sm')}
          width={150}
          render={(_, row) => (
            <Space size={4}>
              <TestAccountButton
                loading={accountTest.testingId === row.id}
                onClick={() => accountTest.run(row)}
              />
              <EditButton hideText size="small" recordItemId={row.id} />
              <Popconfirm
                title={t('jimeng_accounts.actions.resetConfirm', { account: row.jimeng_account })}
                onConfirm={() => resetStatus(row)}
              >
                <Tooltip title={t('jimeng_accounts.actions.reset')}>
                  <Button
                    size="small"
                    icon={<UndoOutlined />}
                    aria-label={t('jimeng_accounts.actions.reset')}
                    loading={resettingId === row.id}
                  />
                </Tooltip>
              </Popconfirm>
              <DeleteButton
                hideText
                size="small"
                recordItemId={row.id}
                confirmTitle={t('jimeng_accounts.actions.deleteConfirm', { account: row.jimeng_account })}
              />
            </Space>
          )}
        />
      </ResponsiveTable>
    </List>
  );
}
