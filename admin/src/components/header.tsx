import { useState } from 'react';
import { Avatar, Button, Dropdown, Grid, Layout, Space, Tag, Typography, theme } from 'antd';
import {
  BarsOutlined,
  ClockCircleOutlined,
  DownOutlined,
  LogoutOutlined,
  MonitorOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { useGetIdentity, useLogout, useTranslate } from '@refinedev/core';
import { useThemedLayoutContext } from '@refinedev/antd';
import type { StaffUser } from '../providers/auth-provider';
import { useTimeZone } from '../lib/time-zone';
import { LanguageSwitch } from './language-switch';
import { TimeZoneDialog } from './time-zone-dialog';
// Hides the sider's own floating menu button on phones; the header's button below replaces it.
import './header.css';

/** Top bar: the queue monitor link, language switch and the signed-in staff member's menu (with logout). */
export function Header() {
  const { token } = theme.useToken();
  const t = useTranslate();
  const { data: user } = useGetIdentity<StaffUser | null>();
  const { mutate: logout } = useLogout();
  // Phones (< 576 px): icons only, so the bar fits a 390 px screen; the menu still names the user.
  const breakpoint = Grid.useBreakpoint();
  const narrow = breakpoint.sm === false;
  // Below lg the sider is a drawer (Refine's rule); its button lives in this bar, not over the page title.
  const drawerSider = breakpoint.lg === false;
  const { setMobileSiderOpen } = useThemedLayoutContext();
  const timeZone = useTimeZone();
  const [timeZoneOpen, setTimeZoneOpen] = useState(false);

  return (
    <Layout.Header
      style={{
        position: 'sticky',
        top: 0,
        zIndex: 10,
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'flex-end',
        gap: 8,
        height: 64,
        padding: narrow ? '0 12px' : '0 24px',
        backgroundColor: token.colorBgElevated,
        borderBottom: `1px solid ${token.colorBorderSecondary}`,
      }}
    >
      {drawerSider && (
        <Button
          type="text"
          icon={<BarsOutlined />}
          onClick={() => setMobileSiderOpen(true)}
          aria-label={t('header.menu')}
          data-testid="menu-button"
          style={{ marginRight: 'auto' }}
        />
      )}
      {user && (
        // bull-board is a server-rendered page, not a Refine route: a full navigation, signed in by
        // the httpOnly cookie that the staff login sets for /admin/queues.
        <Button
          type="text"
          icon={<MonitorOutlined />}
          href="/admin/queues"
          target="_blank"
          rel="noopener"
          data-testid="queue-monitor-link"
          aria-label={t('header.queueMonitor')}
          title={narrow ? t('header.queueMonitor') : undefined}
        >
          {narrow ? null : t('header.queueMonitor')}
        </Button>
      )}
      <LanguageSwitch />
      {user && (
        <Dropdown
          trigger={['click']}
          menu={{
            items: [
              {
                key: 'identity',
                disabled: true,
                label: t('header.signedInAs', { username: user.username }),
              },
              { type: 'divider' },
              {
                key: 'timeZone',
                icon: <ClockCircleOutlined />,
                label: `${t('header.timeZone')}: ${timeZone}`,
              },
              { key: 'logout', icon: <LogoutOutlined />, label: t('header.logout'), danger: true },
            ],
            onClick: ({ key }) => {
              if (key === 'logout') logout();
              if (key === 'timeZone') setTimeZoneOpen(true);
            },
          }}
        >
          <Space style={{ cursor: 'pointer' }} data-testid="user-menu">
            <Avatar size="small" icon={<UserOutlined />} style={{ backgroundColor: token.colorPrimary }} />
            {!narrow && <Typography.Text strong>{user.username}</Typography.Text>}
            {!narrow && (
              <Tag color={user.role === 'admin' ? 'purple' : 'blue'} bordered={false}>
                {t(`header.roles.${user.role}`, user.role)}
              </Tag>
            )}
            <DownOutlined style={{ fontSize: 10, color: token.colorTextSecondary }} />
          </Space>
        </Dropdown>
      )}
      <TimeZoneDialog open={timeZoneOpen} onClose={() => setTimeZoneOpen(false)} />
    </Layout.Header>
  );
}
