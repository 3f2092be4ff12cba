import { Space, Tag, Tooltip } from 'antd';
import { PictureOutlined, VideoCameraOutlined } from '@ant-design/icons';
import { useCustom, useTranslate } from '@refinedev/core';
import { API_URL } from '../../providers/api-client';
import type { AccountStatistics } from '@dreamloom/contracts';

/** The pool at a glance (contract 003 §7.1), above the accounts table. */
export function AccountStats() {
  const t = useTranslate();
  const { query } = useCustom<AccountStatistics>({
    url: `${API_URL}/api/v1/jimeng/accounts/statistics`,
    method: 'get',
    queryOptions: { refetchInterval: 15_000 },
    errorNotification: false,
  });
  const stats = query.data?.data;
  if (!stats) return null;
  return (
    <Space wrap size={[4, 8]} style={{ marginBottom: 12 }} data-testid="account-stats">
      <Tag bordered={false}>{t('jimeng_accounts.stats.total', { count: stats.total_accounts })}</Tag>
      <Tag bordered={false} color="success">
        {t('jimeng_accounts.stats.active', { count: stats.active_accounts })}
      </Tag>
      <Tooltip title={t('jimeng_accounts.statusHelp.1')}>
        <Tag bordered={false} color={stats.inactive_accounts ? 'error' : 'default'}>
          {t('jimeng_accounts.stats.inactive', { count: stats.inactive_accounts })}
        </Tag>
      </Tooltip>
      <Tooltip title={t('jimeng_accounts.statusHelp.2')}>
        <Tag bordered={false} color={stats.rate_limited_accounts ? 'warning' : 'default'}>
          {t('jimeng_accounts.stats.rateLimited', { count: stats.rate_limited_accounts })}
        </Tag>
      </Tooltip>
      <Tag bordered={false}>{t('jimeng_accounts.stats.banned', { count: stats.banned_accounts })}</Tag>
      <Tag bordered={false} color="blue" icon={<PictureOutlined />}>
        {t('jimeng_accounts.stats.image', { count: stats.image_available_accounts })}
      </Tag>
      <Tag bordered={false} color="purple" icon={<VideoCameraOutlined />}>
        {t('jimeng_accounts.stats.video', { count: stats.video_available_accounts })}
      </Tag>
    </Space>
  );
}
