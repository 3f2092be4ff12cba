import { lazy, Suspense, type ReactNode } from 'react';
import {
  Alert,
  Button,
  Card,
  Col,
  Row,
  Segmented,
  Space,
  Spin,
  Statistic,
  Tag,
  Tooltip,
  Typography,
  theme,
} from 'antd';
import {
  CheckCircleOutlined,
  CloudServerOutlined,
  DollarOutlined,
  FieldTimeOutlined,
  MessageOutlined,
  PictureOutlined,
  RiseOutlined,
  ThunderboltOutlined,
  UnorderedListOutlined,
  VideoCameraOutlined,
} from '@ant-design/icons';
import { RefreshButton } from '@refinedev/antd';
import { useCustom, useLink, useTranslate } from '@refinedev/core';
import { useSearchParams } from 'react-router';
import { FamilyTable } from '../../components/dashboard/family-table';
import { QueueTable } from '../../components/dashboard/queue-table';
import { formatPercent, formatSeconds } from '../../components/dashboard/format-seconds';
import {
  OVERVIEW_RANGES,
  type OverviewRange,
  type SystemOverview,
} from '../../components/dashboard/overview-types';
import { formatInstant } from '../../lib/format-time';
import { useTimeZone } from '../../lib/time-zone';
import { API_URL } from '../../providers/api-client';
import type { AccountStatistics } from '@dreamloom/contracts';

// Recharts comes with the charts only, fetched when the dashboard first renders them.
const OverviewCharts = lazy(() => import('../../components/dashboard/overview-charts'));

/** GET /api/v1/jimeng/accounts/statistics (contract 003 §7.1); also read by the batch composer. */
export type { AccountStatistics };

const REFRESH_MS = 15_000;
/**
 * Longer windows are refreshed less often: their figures barely move in 15 s, and their p95 is a
 * sort of every finished task in the window (seconds on SQLite with 100k tasks in 30 days).
 */
const LONG_WINDOW_REFRESH_MS = 60_000;

function StatCard({
  title,
  icon,
  color,
  children,
  footer,
  testId,
}: {
  title: string;
  icon: ReactNode;
  color: string;
  children: ReactNode;
  footer?: ReactNode;
  testId: string;
}) {
  return (
    <Card size="small" style={{ height: '100%' }} data-testid={testId}>
      <Space align="start" style={{ width: '100%', justifyContent: 'space-between' }}>
        <div>
          <Typography.Text type="secondary">{title}</Typography.Text>
          {children}
        </div>
        <span style={{ fontSize: 22, color, opacity: 0.85 }}>{icon}</span>
      </Space>
      {footer && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {footer}
        </Typography.Text>
      )}
    </Card>
  );
}

/**
 * Home: the whole system over a window (today, 7 or 30 days in the staff member's zone, or the
 * `from`/`to` of the address) — every generation family's outcomes and times, failures by class,
 * story chat, credits and the queues — from GET /api/v1/admin/overview, plus the Jimeng pool.
 */
export function DashboardPage() {
  const t = useTranslate();
  const Link = useLink();
  const { token } = theme.useToken();
  const zone = useTimeZone();
  const [params, setParams] = useSearchParams();
  const from = params.get('from');
  const to = params.get('to');
  const custom = from && to ? { from, to } : null;
  const asked = params.get('range');
  const range: OverviewRange = OVERVIEW_RANGES.includes(asked as OverviewRange)
    ? (asked as OverviewRange)
    : 'today';
  const overview = useCustom<SystemOverview>({
    url: `${API_URL}/api/v1/admin/overview`,
    method: 'get',
    config: { query: custom ? { ...custom, tz: zone } : { range, tz: zone } },
    queryOptions: { refetchInterval: !custom && range === 'today' ? REFRESH_MS : LONG_WINDOW_REFRESH_MS },
    errorNotification: false,
  });
  const accounts = useCustom<AccountStatistics>({
    url: `${API_URL}/api/v1/jimeng/accounts/statistics`,
    method: 'get',
    queryOptions: { refetchInterval: REFRESH_MS },
    errorNotification: false,
  });

  const data = overview.query.data?.data;
  const pool = accounts.query.data?.data;
  const loading = overview.query.isLoading;
  const totals = data?.totals;
  const none = t('overview.cards.noData');
  const secondsText = (value: number | null | undefined) => formatSeconds(value) ?? none;
  const queues = data?.queues ?? [];
  const queueAnswered = queues.filter((queue) => queue.waiting !== null);
  const sum = (pick: (queue: (typeof queues)[number]) => number | null) =>
    queueAnswered.reduce((total, queue) => total + (pick(queue) ?? 0), 0);
  const decided = totals ? totals.completed + totals.partial + totals.failed : 0;
  const refetchAll = () => {
    void overview.query.refetch();
    void accounts.query.refetch();
  };

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }} data-testid="dashboard">
      <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
        <div>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t('dashboard.title')}
          </Typography.Title>
          <Typography.Text type="secondary">{t('overview.subtitle')}</Typography.Text>
        </div>
        <Space wrap>
          {custom ? (
            <>
              <Tag data-testid="overview-window">
                {t('overview.customWindow', {
                  from: formatInstant(custom.from, zone) ?? custom.from,
                  to: formatInstant(custom.to, zone) ?? custom.to,
                })}
              </Tag>
              <Button size="small" onClick={() => setParams({})}>
                {t('overview.clearWindow')}
              </Button>
            </>
          ) : (
            <Segmented
              value={range}
              onChange={(value) => setParams({ range: String(value) })}
              options={OVERVIEW_RANGES.map((value) => ({ value, label: t(`overview.range.${value}`) }))}
              data-testid="overview-range"
            />
          )}
          <RefreshButton onClick={refetchAll} loading={overview.query.isFetching} />
        </Space>
      </Space>

      {overview.query.isError && (
        <Alert
          type="error"
          showIcon
          message={t('dashboard.loadError')}
          description={overview.query.error?.message}
        />
      )}

      <Row gutter={[16, 16]}>
        <Col xs={24} sm={12} lg={6}>
          <StatCard
            testId="stat-tasks"
            title={t('overview.cards.tasks')}
            icon={<ThunderboltOutlined />}
            color={token.colorPrimary}
            footer={
              totals &&
              t('overview.cards.tasksFooter', {
                completed: totals.completed + totals.partial,
                failed: totals.failed,
                pending: totals.pending,
                cancelled: totals.cancelled,
              })
            }
          >
            <Statistic value={totals?.total ?? 0} loading={loading} />
          </StatCard>
        </Col>
        <Col xs={24} sm={12} lg={6}>
          <StatCard
            testId="stat-success"
            title={t('overview.cards.successRate')}
            icon={<CheckCircleOutlined />}
            color={token.colorSuccess}
            footer={totals && t('overview.cards.successFooter', { ended: decided })}
          >
            {/* Nothing done or failed means no rate (not 0 %). */}
            <Statistic
              value={formatPercent(totals?.success_rate) ?? none}
              suffix={totals?.success_rate === null || !totals ? undefined : '%'}
              loading={loading}
            />
          </StatCard>
        </Col>
        <Col xs={24} sm={12} lg={6}>
          <StatCard
            testId="stat-avg"
            title={t('overview.cards.avgTime')}
            icon={<FieldTimeOutlined />}
            color={token.colorWarning}
            footer={totals && t('overview.cards.timedFooter', { count: totals.timed })}
          >
            <Statistic
              value={secondsText(totals?.avg_seconds)}
              suffix={totals?.avg_seconds === null || !totals ? undefined : t('units.secondsUnit')}
              loading={loading}
            />
          </StatCard>
        </Col>
        <Col xs={24} sm={12} lg={6}>
          <StatCard
            testId="stat-p95"
            title={t('overview.cards.p95Time')}
            icon={<RiseOutlined />}
            color={token.colorError}
            footer={totals && t('overview.cards.timedFooter', { count: totals.timed })}
          >
            <Statistic
              value={secondsText(totals?.p95_seconds)}
              suffix={totals?.p95_seconds === null || !totals ? undefined : t('units.secondsUnit')}
              loading={loading}
            />
          </StatCard>
        </Col>
        <Col xs={24} sm={12} lg={6}>
          <StatCard
            testId="stat-credits"
            title={t('overview.cards.credits')}
            icon={<DollarOutlined />}
            color={token.colorPrimary}
            footer={
              data &&
              t('overview.cards.creditsFooter', {
                refunded: data.credits.refunded,
                net: data.credits.net_charged,
                granted: data.credits.granted,
              })
            }
          >
            <Statistic value={data?.credits.charged ?? 0} suffix="MC" loading={loading} />
          </StatCard>
        </Col>
        <Col xs={24} sm={12} lg={6}>
          <StatCard
            testId="stat-chat"
            title={t('overview.cards.chat')}
            icon={<MessageOutlined />}
            color={token.colorInfo}
            footer={
              data &&
              t('overview.cards.chatFooter', {
                replies: data.chat.replies,
                conversations: data.chat.active_conversations,
                members: data.chat.active_members,
                started: data.chat.new_conversations,
              })
            }
          >
            <Statistic value={data?.chat.member_messages ?? 0} loading={loading} />
          </StatCard>
        </Col>
        <Col xs={24} sm={12} lg={6}>
          <StatCard
            testId="stat-queue"
            title={t('overview.cards.queue')}
            icon={<UnorderedListOutlined />}
            color={token.colorTextSecondary}
            footer={
              data &&
              (queueAnswered.length === 0 && queues.length
                ? t('overview.cards.queueDown')
                : t('overview.cards.queueFooter', {
                    active: sum((queue) => queue.active),
                    delayed: sum((queue) => queue.delayed),
                    failed: sum((queue) => queue.failed),
                  }))
            }
          >
            <Tooltip
              title={queues.map((queue) => (
                <div key={queue.name}>
                  {queue.name}: {queue.waiting ?? none} / {queue.active ?? none} / {queue.delayed ?? none}
                </div>
              ))}
            >
              <span>
                <Statistic
                  value={sum((queue) => queue.waiting) + sum((queue) => queue.delayed)}
                  loading={loading}
                />
              </span>
            </Tooltip>
          </StatCard>
        </Col>
        <Col xs={24} sm={12} lg={6}>
          <StatCard
            testId="stat-accounts"
            title={t('overview.cards.accountsAvailable')}
            icon={<CloudServerOutlined />}
            color={token.colorInfo}
            footer={
              pool &&
              t('overview.cards.accountsTotal', { total: pool.total_accounts, active: pool.active_accounts })
            }
          >
            <Space size="large" style={{ marginTop: 4 }}>
              <Tooltip title={t('overview.cards.imageAvailable')}>
                <span>
                  <Statistic value={pool?.image_available_accounts ?? 0} prefix={<PictureOutlined />} />
                </span>
              </Tooltip>
              <Tooltip title={t('overview.cards.videoAvailable')}>
                <span>
                  <Statistic value={pool?.video_available_accounts ?? 0} prefix={<VideoCameraOutlined />} />
                </span>
              </Tooltip>
            </Space>
          </StatCard>
        </Col>
      </Row>

      {data && (
        <Row gutter={[16, 16]}>
          <Col xs={24} xl={16}>
            <Card size="small" title={t('overview.families.title')} style={{ height: '100%' }}>
              <FamilyTable overview={data} />
            </Card>
          </Col>
          <Col xs={24} xl={8}>
            <Card size="small" title={t('overview.queues.title')} style={{ height: '100%' }}>
              <QueueTable queues={data.queues} />
            </Card>
          </Col>
        </Row>
      )}

      {data && (
        <Suspense
          fallback={
            <div style={{ display: 'flex', justifyContent: 'center', padding: 24 }}>
              <Spin tip={t('overview.charts.loading')} />
            </div>
          }
        >
          <OverviewCharts overview={data} zone={zone} />
        </Suspense>
      )}

      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('overview.windowNote', { zone })}
      </Typography.Text>
      <Space wrap>
        <Link to="/jimeng-batches">{t('overview.links.batches')}</Link>
        <Link to="/jimeng-records">{t('overview.links.records')}</Link>
        <Link to="/jimeng-accounts">{t('overview.links.accounts')}</Link>
        <Link to="/anime-generations">{t('overview.links.generations')}</Link>
        <Link to="/nanobanana">{t('overview.links.nanobanana')}</Link>
      </Space>
    </Space>
  );
}
