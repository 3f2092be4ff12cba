import { Avatar, Dropdown, Layout, Space, Tag, Typography, theme } from 'antd';
import { DownOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { useGetIdentity, useLogout, useTranslate } from '@refinedev/core';
import type { StaffUser } from '../providers/auth-provider';
import { LanguageSwitch } from './language-switch';

/** Top bar: language switch and the signed-in staff member's menu (with logout). */
export function Header() {
  const { token } = theme.useToken();
  const t = useTranslate();
  const { data: user } = useGetIdentity<StaffUser | null>();
  const { mutate: logout } = useLogout();

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
        padding: '0 24px',
        backgroundColor: token.colorBgElevated,
        borderBottom: `1px solid ${token.colorBorderSecondary}`,
      }}
    >
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
              { key: 'logout', icon: <LogoutOutlined />, label: t('header.logout'), danger: true },
            ],
            onClick: ({ key }) => {
              if (key === 'logout') logout();
            },
          }}
        >
          <Space style={{ cursor: 'pointer' }} data-testid="user-menu">
            <Avatar size="small" icon={<UserOutlined />} style={{ backgroundColor: token.colorPrimary }} />
            <Typography.Text strong>{user.username}</Typography.Text>
            <Tag color={user.role === 'admin' ? 'purple' : 'blue'} bordered={false}>
              {t(`header.roles.${user.role}`, user.role)}
            </Tag>
            <DownOutlined style={{ fontSize: 10, color: token.colorTextSecondary }} />
          </Space>
        </Dropdown>
      )}
    </Layout.Header>
  );
}
