import { Empty, Space, Tooltip, Typography, theme } from 'antd';
import { useTranslate } from '@refinedev/core';
import dayjs from 'dayjs';
import { niceMax } from './chart-scale';

export interface DailyStat {
  date: string;
  image_count: number;
  video_count: number;
  /** 0–1. */
  success_rate: number;
}

const WIDTH = 760;
const HEIGHT = 260;
const PAD = { top: 16, right: 44, bottom: 28, left: 40 };

/**
 * Tasks per day by type (grouped bars) with the success rate as a line on the right axis. Plain
 * SVG: one small chart does not justify a charting library's weight in the admin bundle.
 */
export function DailyChart({ stats }: { stats: readonly DailyStat[] }) {
  const t = useTranslate();
  const { token } = theme.useToken();
  if (stats.length === 0) return <Empty description={t('dashboard.chart.empty')} />;

  const colors = { image: token.blue, video: token.purple, rate: token.colorSuccess };
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const max = niceMax(Math.max(...stats.map((d) => Math.max(d.image_count, d.video_count))));
  const slot = innerW / stats.length;
  const bar = Math.min(22, (slot * 0.7) / 2);
  const y = (value: number) => PAD.top + innerH - (value / max) * innerH;
  const yRate = (rate: number) => PAD.top + innerH - Math.min(Math.max(rate, 0), 1) * innerH;
  const cx = (index: number) => PAD.left + slot * index + slot / 2;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const labelEvery = Math.ceil(stats.length / 10);
  // A day without tasks has no success rate: the line breaks there instead of dropping to 0 %.
  const hasTasks = (d: DailyStat) => d.image_count + d.video_count > 0;
  const ratePath = stats
    .map((d, i) => {
      if (!hasTasks(d)) return '';
      const move = i === 0 || !hasTasks(stats[i - 1]) ? 'M' : 'L';
      return `${move}${cx(i).toFixed(1)},${yRate(d.success_rate).toFixed(1)}`;
    })
    .filter(Boolean)
    .join(' ');

  return (
    <div data-testid="daily-chart">
      <Space size="large" style={{ marginBottom: 8 }}>
        {(['image', 'video', 'rate'] as const).map((key) => (
          <Space key={key} size={6}>
            <span
              style={{
                display: 'inline-block',
                width: 12,
                height: key === 'rate' ? 3 : 12,
                borderRadius: 2,
                background: colors[key],
              }}
            />
            <Typography.Text type="secondary">{t(`dashboard.chart.${key}`)}</Typography.Text>
          </Space>
        ))}
      </Space>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width="100%"
        role="img"
        aria-label={t('dashboard.chart.title')}
        style={{ display: 'block', maxHeight: 320 }}
      >
        {ticks.map((tick) => (
          <g key={tick}>
            <line
              x1={PAD.left}
              x2={WIDTH - PAD.right}
              y1={y(tick * max)}
              y2={y(tick * max)}
              stroke={token.colorBorderSecondary}
              strokeDasharray={tick === 0 ? undefined : '3 3'}
            />
            <text
              x={PAD.left - 6}
              y={y(tick * max) + 4}
              textAnchor="end"
              fontSize={11}
              fill={token.colorTextSecondary}
            >
              {Math.round(tick * max)}
            </text>
            <text
              x={WIDTH - PAD.right + 6}
              y={yRate(tick) + 4}
              fontSize={11}
              fill={token.colorTextSecondary}
            >{`${Math.round(tick * 100)}%`}</text>
          </g>
        ))}
        {stats.map((d, i) => (
          <Tooltip
            key={d.date}
            title={
              <Space direction="vertical" size={0}>
                <strong>{d.date}</strong>
                <span>{t('dashboard.chart.imageCount', { count: d.image_count })}</span>
                <span>{t('dashboard.chart.videoCount', { count: d.video_count })}</span>
                <span>{t('dashboard.chart.rateValue', { value: Math.round(d.success_rate * 100) })}</span>
              </Space>
            }
          >
            <g data-date={d.date}>
              <rect x={cx(i) - slot / 2} y={PAD.top} width={slot} height={innerH} fill="transparent" />
              <rect
                x={cx(i) - bar - 1}
                y={y(d.image_count)}
                width={bar}
                height={Math.max(0, PAD.top + innerH - y(d.image_count))}
                rx={2}
                fill={colors.image}
              />
              <rect
                x={cx(i) + 1}
                y={y(d.video_count)}
                width={bar}
                height={Math.max(0, PAD.top + innerH - y(d.video_count))}
                rx={2}
                fill={colors.video}
              />
              {i % labelEvery === 0 && (
                <text
                  x={cx(i)}
                  y={HEIGHT - 8}
                  textAnchor="middle"
                  fontSize={11}
                  fill={token.colorTextSecondary}
                >
                  {dayjs(d.date).isValid() ? dayjs(d.date).format('MM-DD') : d.date}
                </text>
              )}
            </g>
          </Tooltip>
        ))}
        <path d={ratePath} fill="none" stroke={colors.rate} strokeWidth={2} pointerEvents="none" />
        {stats.map((d, i) =>
          !hasTasks(d) ? null : (
            <circle
              key={d.date}
              cx={cx(i)}
              cy={yRate(d.success_rate)}
              r={3}
              fill={token.colorBgContainer}
              stroke={colors.rate}
              strokeWidth={2}
              pointerEvents="none"
            />
          ),
        )}
      </svg>
    </div>
  );
}
