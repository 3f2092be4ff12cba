/** GET /api/v1/admin/overview (core's SystemOverview), as the dashboard reads it. */
export type GenerationFamily =
  'jimeng' | 'anime_image' | 'anime_video' | 'nanobanana' | 'story_image' | 'other';

export const OVERVIEW_RANGES = ['today', '7d', '30d'] as const;
export type OverviewRange = (typeof OVERVIEW_RANGES)[number];

export interface FamilyFigures {
  total: number;
  completed: number;
  partial: number;
  failed: number;
  cancelled: number;
  pending: number;
  success_rate: number | null;
  timed: number;
  /** Seconds with decimals (millisecond precision). */
  avg_seconds: number | null;
  p95_seconds: number | null;
}

export interface SystemOverview {
  window: { from: string; to: string; time_zone: string; bucket: 'hour' | 'day' };
  families: Array<{ family: GenerationFamily } & FamilyFigures>;
  totals: FamilyFigures;
  series: Array<{ start: string; counts: Partial<Record<GenerationFamily, number>>; failed: number }>;
  errors: Array<{ class: string; count: number; by_family: Partial<Record<GenerationFamily, number>> }>;
  chat: {
    member_messages: number;
    replies: number;
    active_conversations: number;
    active_members: number;
    new_conversations: number;
  };
  credits: {
    charged: number;
    refunded: number;
    granted: number;
    net_charged: number;
    charges: number;
    refunds: number;
    grants: number;
  };
  queues: Array<{
    name: string;
    waiting: number | null;
    active: number | null;
    delayed: number | null;
    failed: number | null;
  }>;
  generated_at: string;
}

/** One colour per family, the same in every chart and the table. */
export const FAMILY_COLORS: Record<GenerationFamily, string> = {
  jimeng: '#1677ff',
  anime_image: '#eb2f96',
  anime_video: '#722ed1',
  nanobanana: '#faad14',
  story_image: '#13c2c2',
  other: '#8c8c8c',
};
