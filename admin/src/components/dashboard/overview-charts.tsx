import { Card, Col, Empty, Row } from 'antd';
import { useTranslate } from '@refinedev/core';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatInstant } from '../../lib/format-time';
import { formatSeconds } from './format-seconds';
import { FAMILY_COLORS, type GenerationFamily, type SystemOverview } from './overview-types';

const HEIGHT = 260;

/**
 * The dashboard's charts (Recharts, in this lazily loaded module so the library is fetched with
 * the dashboard only): tasks per hour or day stacked by family, average and p95 time per family,
 * and failures by class stacked by family.
 */
export default function OverviewCharts({ overview, zone }: { overview: SystemOverview; zone: string }) {
  const t = useTranslate();
  const familyName = (family: string) => t(`overview.family.${family}`, family);
  const families = overview.families.map((row) => row.family);
  const hourly = overview.window.bucket === 'hour';
  // Bucket starts in the staff member's zone: "14:00" by the hour, "12-07" by the day.
  const label = (iso: string) => {
    const local = formatInstant(iso, zone) ?? iso;
    return hourly ? local.slice(11, 16) : local.slice(5, 10);
  };
  const series = overview.series.map((point) => ({
    label: label(point.start),
    failed: point.failed,
    ...Object.fromEntries(families.map((family) => [family, point.counts[family] ?? 0])),
  }));
  const times = overview.families
    .filter((row) => row.timed > 0)
    .map((row) => ({ family: familyName(row.family), avg: row.avg_seconds, p95: row.p95_seconds }));
  // Known classes by their name in the staff member's language; one the admin does not know shows its code.
  const errors = overview.errors.map((row) => ({
    class: t(`overview.errorClass.${row.class}`, row.class),
    ...Object.fromEntries(families.map((family) => [family, row.by_family[family] ?? 0])),
  }));
  const errorFamilies = families.filter((family) => overview.errors.some((row) => row.by_family[family]));
  const stacked = (list: GenerationFamily[], stackId: string) =>
    list.map((family) => (
      <Bar
        key={family}
        dataKey={family}
        name={familyName(family)}
        stackId={stackId}
        fill={FAMILY_COLORS[family]}
        isAnimationActive={false}
      />
    ));
  const seconds = (value: unknown) => `${formatSeconds(Number(value)) ?? '—'}`;

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={12}>
        <Card size="small" title={t(hourly ? 'overview.charts.tasksHour' : 'overview.charts.tasksDay')}>
          {overview.totals.total === 0 ? (
            <Empty description={t('overview.charts.empty')} />
          ) : (
            <div data-testid="chart-tasks">
              <ResponsiveContainer width="100%" height={HEIGHT}>
                <BarChart data={series} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="label" tick={{ fontSize: 11 }} minTickGap={8} />
                  <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
                  <Tooltip />
                  <Legend wrapperStyle={{ fontSize: 12 }} />
                  {stacked(families, 'tasks')}
                </BarChart>
              </ResponsiveContainer>
            </div>
          )}
        </Card>
      </Col>
      <Col xs={24} xl={12}>
        <Card size="small" title={t('overview.charts.times')}>
          {times.length === 0 ? (
            <Empty description={t('overview.charts.empty')} />
          ) : (
            <div data-testid="chart-times">
              <ResponsiveContainer width="100%" height={HEIGHT}>
                <BarChart data={times} margin={{ top: 8, right: 8, bottom: 0, left: -8 }}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="family" tick={{ fontSize: 11 }} interval={0} />
                  <YAxis tick={{ fontSize: 11 }} tickFormatter={seconds} />
                  <Tooltip formatter={(value) => `${seconds(value)} s`} />
                  <Legend wrapperStyle={{ fontSize: 12 }} />
                  <Bar
                    dataKey="avg"
                    name={t('overview.charts.avg')}
                    fill="#1677ff"
                    isAnimationActive={false}
                  />
                  <Bar
                    dataKey="p95"
                    name={t('overview.charts.p95')}
                    fill="#fa8c16"
                    isAnimationActive={false}
                  />
                </BarChart>
              </ResponsiveContainer>
            </div>
          )}
        </Card>
      </Col>
      <Col xs={24}>
        <Card size="small" title={t('overview.charts.errors')}>
          {errors.length === 0 ? (
            <Empty description={t('overview.charts.noErrors')} />
          ) : (
            <div data-testid="chart-errors">
              <ResponsiveContainer width="100%" height={Math.max(120, 36 * errors.length + 60)}>
                <BarChart data={errors} layout="vertical" margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
                  <CartesianGrid strokeDasharray="3 3" horizontal={false} />
                  <XAxis type="number" allowDecimals={false} tick={{ fontSize: 11 }} />
                  <YAxis type="category" dataKey="class" width={130} tick={{ fontSize: 11 }} />
                  <Tooltip />
                  <Legend wrapperStyle={{ fontSize: 12 }} />
                  {stacked(errorFamilies, 'errors')}
                </BarChart>
              </ResponsiveContainer>
            </div>
          )}
        </Card>
      </Col>
    </Row>
  );
}
