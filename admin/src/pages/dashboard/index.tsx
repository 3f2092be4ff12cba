import { useState } from 'react';
import { Alert, Card, Col, Row, Segmented, Space, Statistic, Tooltip, Typography, theme } from 'antd';
import {
  CheckCircleOutlined,
  ClockCircleOutlined,
  CloudServerOutlined,
  FieldTimeOutlined,
  PictureOutlined,
  ThunderboltOutlined,
  UnorderedListOutlined,
  VideoCameraOutlined,
} from '@ant-design/icons';
import { RefreshButton } from '@refinedev/antd';
import { useCustom, useLink, useTranslate } from '@refinedev/core';
import dayjs from 'dayjs';
import { DailyChart, type DailyStat } from '../../components/dashboard/daily-chart';
import { API_URL } from '../../providers/api-client';

export interface AccountStatistics {
  total_accounts: number;
  active_accounts: number;
  inactive_accounts: number;
  banned_accounts: number;
  image_available_accounts: number;
  video_available_accounts: number;
  rate_limited_accounts: number;
}

export interface TaskStatistics {
  total_tasks: number;
  completed_tasks: number;
  failed_tasks: number;
  pending_tasks: number;
  cancelled_tasks?: number;
  success_rate: number;
  avg_generation_time: number;
  daily_stats: DailyStat[];
}

export interface Dashboard {
  accounts: AccountStatistics;
  tasks: TaskStatistics;
  queue: { waiting: number; active: number; delayed: number; failed: number };
}

const REFRESH_MS = 15_000;

const percent = (rate: number | undefined) =>
  typeof rate === 'number' && Number.isFinite(rate) ? Math.round(rate * 1000) / 10 : 0;

function StatCard({
  title,
  icon,
  color,
  children,
  footer,
  testId,
}: {
  title: string;
  icon: React.ReactNode;
  color: string;
  children: React.ReactNode;
  footer?: React.ReactNode;
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
 * Home: how the generation pipeline and the Jimeng account pool are doing right now — today's
 * tasks, success rate and speed, accounts that can take image/video work, and the queue — plus the
 * daily chart by type.
 */
export function DashboardPage() {
  const t = useTranslate();
  const Link = useLink();
  const { token } = theme.useToken();
  const [range, setRange] = useState<'week' | 'month'>('week');
  const dashboard = useCustom<Dashboard>({
    url: `${API_URL}/api/v1/jimeng/dashboard`,
    method: 'get',
    queryOptions: { refetchInterval: REFRESH_MS },
    errorNotification: false,
  });
  const today = useCustom<TaskStatistics>({
    url: `${API_URL}/api/v1/jimeng/records/statistics`,
    method: 'get',
    config: { query: { date_range: 'today' } },
    queryOptions: { refetchInterval: REFRESH_MS },
    errorNotification: false,
  });
  const month = useCustom<TaskStatistics>({
    url: `${API_URL}/api/v1/jimeng/records/statistics`,
    method: 'get',
    config: { query: { date_range: 'month' } },
    queryOptions: { enabled: range === 'month', refetchInterval: REFRESH_MS * 4 },
    errorNotification: false,
  });

  const data = dashboard.query.data?.data;
  const week = data?.tasks;
  const todayKey = dayjs().format('YYYY-MM-DD');
  const todayRow = week?.daily_stats?.find((d) => d.date === todayKey);
  // Today's own statistics when the server has them; otherwise today's bar of the weekly chart.
  const todayStats: Partial<TaskStatistics> | undefined =
    today.query.data?.data ??
    (todayRow
      ? { total_tasks: todayRow.image_count + todayRow.video_count, success_rate: todayRow.success_rate }
      : undefined);
  const accounts = data?.accounts;
  const queue = data?.queue;
  const queued = queue ? queue.waiting + queue.delayed : 0;
  const chart = range === 'month' ? (month.query.data?.data.daily_stats ?? []) : (week?.daily_stats ?? []);
  const refetchAll = () => {
    void dashboard.query.refetch();
    void today.query.refetch();
    if (range === 'month') void month.query.refetch();
  };
  const loading = dashboard.query.isLoading;

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }} data-testid="dashboard">
      <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
        <div>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t('dashboard.title')}
          </Typography.Title>
          <Typography.Text type="secondary">{t('dashboard.subtitle')}</Typography.Text>
        </div>
        <RefreshButton onClick={refetchAll} loading={dashboard.query.isFetching} />
      </Space>

      {dashboard.query.isError && (
        <Alert
          type="error"
          showIcon
          message={t('dashboard.loadError')}
          description={dashboard.query.error?.message}
        />
      )}

      <Row gutter={[16, 16]}>
        <Col xs={24} sm={12} lg={8} xl={4}>
          <StatCard
            testId="stat-tasks-today"
            title={t('dashboard.cards.tasksToday')}
            icon={<ThunderboltOutlined />}
            color={token.colorPrimary}
            footer={
              todayStats?.completed_tasks !== undefined
                ? t('dashboard.cards.tasksTodayFooter', {
                    completed: todayStats.completed_tasks,
                    failed: todayStats.failed_tasks ?? 0,
                    pending: todayStats.pending_tasks ?? 0,
                    cancelled: todayStats.cancelled_tasks ?? 0,
                  })
                : undefined
            }
          >
            <Statistic value={todayStats?.total_tasks ?? 0} loading={loading} />
          </StatCard>
        </Col>
        <Col xs={24} sm={12} lg={8} xl={4}>
          <StatCard
            testId="stat-success-rate"
            title={t('dashboard.cards.successRate')}
            icon={<CheckCircleOutlined />}
            color={token.colorSuccess}
            footer={
              week ? t('dashboard.cards.weekValue', { value: `${percent(week.success_rate)}%` }) : undefined
            }
          >
            {/* No tasks today means no rate today (not 0 %); the footer still has the week's. */}
            <Statistic
              value={todayStats?.total_tasks ? percent(todayStats.success_rate) : '—'}
              suffix={todayStats?.total_tasks ? '%' : undefined}
              precision={todayStats?.total_tasks ? 1 : undefined}
              loading={loading}
            />
          </StatCard>
        </Col>
        <Col xs={24} sm={12} lg={8} xl={4}>
          <StatCard
            testId="stat-avg-time"
            title={t('dashboard.cards.avgTime')}
            icon={<FieldTimeOutlined />}
            color={token.colorWarning}
            footer={
              week
                ? t('dashboard.cards.weekValue', {
                    value: t('units.seconds', { value: (week.avg_generation_time ?? 0).toFixed(1) }),
                  })
                : undefined
            }
          >
            <Statistic
              value={todayStats?.total_tasks ? (todayStats.avg_generation_time ?? 0) : '—'}
              precision={todayStats?.total_tasks ? 1 : undefined}
              suffix={todayStats?.total_tasks ? t('units.secondsUnit') : undefined}
              loading={loading}
            />
          </StatCard>
        </Col>
        <Col xs={24} sm={12} lg={8} xl={4}>
          <StatCard
            testId="stat-accounts"
            title={t('dashboard.cards.accountsAvailable')}
            icon={<CloudServerOutlined />}
            color={token.colorInfo}
            footer={
              accounts
                ? t('dashboard.cards.accountsTotal', {
                    total: accounts.total_accounts,
                    active: accounts.active_accounts,
                  })
                : undefined
            }
          >
            <Space size="large" style={{ marginTop: 4 }}>
              <Tooltip title={t('dashboard.cards.imageAvailable')}>
                <span>
                  <Statistic
                    value={accounts?.image_available_accounts ?? 0}
                    prefix={<PictureOutlined />}
                    loading={loading}
                  />
                </span>
              </Tooltip>
              <Tooltip title={t('dashboard.cards.videoAvailable')}>
                <span>
                  <Statistic
                    value={accounts?.video_available_accounts ?? 0}
                    prefix={<VideoCameraOutlined />}
                    loading={loading}
                  />
                </span>
              </Tooltip>
            </Space>
          </StatCard>
        </Col>
        <Col xs={24} sm={12} lg={8} xl={4}>
          <StatCard
            testId="stat-rate-limited"
            title={t('dashboard.cards.rateLimited')}
            icon={<ClockCircleOutlined />}
            color={accounts?.rate_limited_accounts ? token.colorWarning : token.colorTextTertiary}
            footer={
              accounts
                ? t('dashboard.cards.invalidBanned', {
                    invalid: accounts.inactive_accounts,
                    banned: accounts.banned_accounts,
                  })
                : undefined
            }
          >
            <Statistic
              value={accounts?.rate_limited_accounts ?? 0}
              loading={loading}
              valueStyle={accounts?.rate_limited_accounts ? { color: token.colorWarning } : undefined}
            />
          </StatCard>
        </Col>
        <Col xs={24} sm={12} lg={8} xl={4}>
          <StatCard
            testId="stat-queue"
            title={t('dashboard.cards.queue')}
            icon={<UnorderedListOutlined />}
            color={token.colorTextSecondary}
            footer={
              queue
                ? t('dashboard.cards.queueFooter', {
                    active: queue.active,
                    delayed: queue.delayed,
                    failed: queue.failed,
                  })
                : undefined
            }
          >
            <Statistic value={queued} loading={loading} />
          </StatCard>
        </Col>
      </Row>

      <Card
        title={t('dashboard.chart.title')}
        extra={
          <Segmented
            value={range}
            onChange={(value) => setRange(value as 'week' | 'month')}
            options={[
              { value: 'week', label: t('dashboard.chart.week') },
              { value: 'month', label: t('dashboard.chart.month') },
            ]}
          />
        }
      >
        <DailyChart stats={chart} />
      </Card>

      <Space wrap>
        <Link to="/jimeng-batches">{t('dashboard.links.batches')}</Link>
        <Link to="/jimeng-records">{t('dashboard.links.records')}</Link>
        <Link to="/jimeng-accounts">{t('dashboard.links.accounts')}</Link>
      </Space>
    </Space>
  );
}
