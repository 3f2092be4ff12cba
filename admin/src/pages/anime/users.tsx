import { Card, Descriptions, Input, Space, Statistic, Table, Tag, Typography } from 'antd';
import { List, Show, ShowButton, useTable } from '@refinedev/antd';
import { useLink, useShow, useTranslate, type HttpError } from '@refinedev/core';
import { DateTime } from '../../components/date-time';
import { ResponsiveTable, shownFrom } from '../../components/responsive-table';
import { GrantCreditsButton } from '../../components/anime/grant-credits';
import { MemberPlanCell } from '../../components/anime/member-plan';
import type { AnimeUser, AnimeUserCredits, LedgerEntry } from '../../providers/anime-data-provider';

const RESOURCE = 'anime_users';
const time = (value: string) => <DateTime value={value} />;
const label = (user: Pick<AnimeUser, 'display_name' | 'username' | 'identities' | 'user_id'>) =>
  user.display_name || user.username || user.identities[0] || user.user_id;

const KIND_COLORS: Record<string, string> = { grant: 'blue', charge: 'orange', refund: 'green' };

/**
 * Users newest first with their MC balance and plan; search by id, name or platform id; grant
 * credits, switch a member's plan (Free/Pro) and see its history per row.
 */
export function AnimeUserList() {
  const t = useTranslate();
  const { tableProps, searchFormProps } = useTable<AnimeUser, HttpError, { q?: string }>({
    resource: RESOURCE,
    syncWithLocation: true,
    pagination: { pageSize: 20 },
    onSearch: (values) => [{ field: 'q', operator: 'eq', value: values.q?.trim() || undefined }],
  });
  return (
    <List>
      <Input.Search
        allowClear
        enterButton
        placeholder={t(`${RESOURCE}.searchPlaceholder`)}
        style={{ maxWidth: 420, width: '100%', marginBottom: 16 }}
        onSearch={(q) => searchFormProps.onFinish?.({ q })}
      />
      <ResponsiveTable {...tableProps} rowKey="id">
        {/* Platform ids sit under the name, so a row is found by them at every width. */}
        <Table.Column<AnimeUser>
          key="user"
          title={t(`${RESOURCE}.fields.user`)}
          render={(_, user) => (
            <Space direction="vertical" size={2}>
              <Typography.Text strong>{label(user)}</Typography.Text>
              {user.identities.length > 0 && (
                <Space size={4} wrap>
                  {user.identities.map((identity) => (
                    <Tag key={identity} style={{ marginInlineEnd: 0 }}>
                      {identity}
                    </Tag>
                  ))}
                </Space>
              )}
              <Typography.Text type="secondary" copyable style={{ fontSize: 12, wordBreak: 'break-all' }}>
                {user.user_id}
              </Typography.Text>
            </Space>
          )}
        />
        <Table.Column<AnimeUser>
          dataIndex="role"
          title={t(`${RESOURCE}.plan.column`)}
          render={(role: string, user) => (
            <MemberPlanCell userId={user.user_id} role={role} userLabel={label(user)} />
          )}
        />
        <Table.Column<AnimeUser>
          dataIndex="balance"
          align="right"
          responsive={shownFrom('md')}
          title={t(`${RESOURCE}.fields.balance`)}
          render={(balance: number) => (
            <Typography.Text strong>{balance.toLocaleString()} MC</Typography.Text>
          )}
        />
        <Table.Column<AnimeUser>
          dataIndex="created_at"
          responsive={shownFrom('lg')}
          title={t(`${RESOURCE}.fields.createdAt`)}
          render={time}
        />
        <Table.Column<AnimeUser>
          key="actions"
          responsive={shownFrom('md')}
          title={t('table.actions')}
          render={(_, user) => (
            <Space wrap>
              <GrantCreditsButton size="small" userId={user.user_id} userLabel={label(user)} />
              <ShowButton size="small" recordItemId={user.id}>
                {t(`${RESOURCE}.actions.ledger`)}
              </ShowButton>
            </Space>
          )}
        />
      </ResponsiveTable>
    </List>
  );
}

/** One user's balance and credit ledger (newest 200 entries), with "grant credits". */
export function AnimeUserShow() {
  const t = useTranslate();
  const Link = useLink();
  const { query } = useShow<AnimeUserCredits>({ resource: RESOURCE });
  const credits = query.data?.data;
  return (
    <Show
      isLoading={query.isLoading}
      headerButtons={
        credits ? <GrantCreditsButton userId={credits.user_id} userLabel={credits.user_id} /> : undefined
      }
    >
      {credits && (
        <Space direction="vertical" size="large" style={{ width: '100%' }}>
          <Card size="small">
            <Space size="large" wrap>
              <Statistic
                title={t(`${RESOURCE}.fields.balance`)}
                value={credits.balance}
                suffix="MC"
                valueStyle={{ fontWeight: 600 }}
              />
              <Descriptions size="small" column={1}>
                <Descriptions.Item label={t(`${RESOURCE}.fields.userId`)}>
                  <Typography.Text copyable>{credits.user_id}</Typography.Text>
                </Descriptions.Item>
                <Descriptions.Item label={t(`${RESOURCE}.fields.generations`)}>
                  <Link
                    to={`/anime-generations?filters[0][field]=user_id&filters[0][operator]=eq&filters[0][value]=${credits.user_id}`}
                  >
                    {t(`${RESOURCE}.actions.generations`)}
                  </Link>
                </Descriptions.Item>
              </Descriptions>
            </Space>
          </Card>
          <Typography.Title level={5} style={{ margin: 0 }}>
            {t(`${RESOURCE}.ledger.title`)}
          </Typography.Title>
          <Table<LedgerEntry>
            dataSource={credits.ledger}
            rowKey="id"
            size="small"
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            data-testid="credit-ledger"
          >
            <Table.Column<LedgerEntry>
              dataIndex="created_at"
              title={t(`${RESOURCE}.ledger.time`)}
              render={time}
            />
            <Table.Column<LedgerEntry>
              dataIndex="kind"
              title={t(`${RESOURCE}.ledger.kind`)}
              render={(kind: string) => (
                <Tag color={KIND_COLORS[kind]}>{t(`${RESOURCE}.ledger.kinds.${kind}`, kind)}</Tag>
              )}
            />
            <Table.Column<LedgerEntry>
              dataIndex="amount"
              align="right"
              title={t(`${RESOURCE}.ledger.amount`)}
              render={(amount: number) => (
                <Typography.Text type={amount < 0 ? 'danger' : 'success'}>
                  {amount > 0 ? '+' : ''}
                  {amount.toLocaleString()}
                </Typography.Text>
              )}
            />
            <Table.Column<LedgerEntry>
              dataIndex="balance_after"
              align="right"
              title={t(`${RESOURCE}.ledger.balanceAfter`)}
              render={(value: number) => value.toLocaleString()}
            />
            <Table.Column<LedgerEntry>
              dataIndex="task_id"
              title={t(`${RESOURCE}.ledger.task`)}
              render={(id: string | null) =>
                id ? (
                  <Typography.Text code copyable={{ text: id }}>
                    {id.slice(0, 8)}
                  </Typography.Text>
                ) : (
                  '—'
                )
              }
            />
            <Table.Column<LedgerEntry>
              dataIndex="note"
              title={t(`${RESOURCE}.ledger.note`)}
              render={(note: string | null) => note ?? '—'}
            />
          </Table>
        </Space>
      )}
    </Show>
  );
}
