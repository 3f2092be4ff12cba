import { Alert, Button, Card, Form, Input, Layout, Space, Typography, theme } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useLogin, useTranslate } from '@refinedev/core';
import { LanguageSwitch } from '../../components/language-switch';
import { Logo } from '../../components/logo';
import type { LoginParams } from '../../providers/auth-provider';

/**
 * Staff sign-in. Refine's AuthPage asks for an e-mail; staff sign in with a username, so this is a
 * small page of our own on top of the same `useLogin` flow (redirect, `?to=` return, notifications).
 */
export function LoginPage() {
  const t = useTranslate();
  const { token } = theme.useToken();
  const { mutate: login, isPending, data, error } = useLogin<LoginParams>();
  const failure = error?.message ?? (data && !data.success ? data.error?.message : undefined);

  return (
    <Layout
      style={{
        minHeight: '100vh',
        alignItems: 'center',
        justifyContent: 'center',
        padding: 24,
        background: `radial-gradient(circle at 20% 10%, ${token.colorPrimaryBg} 0, transparent 45%),
          radial-gradient(circle at 85% 90%, #fff0f6 0, transparent 40%), ${token.colorBgLayout}`,
      }}
    >
      <div style={{ position: 'absolute', top: 16, right: 24 }}>
        <LanguageSwitch />
      </div>
      <Card
        style={{ width: 400, maxWidth: '100%', boxShadow: token.boxShadowTertiary }}
        styles={{ body: { padding: 32 } }}
      >
        <Space direction="vertical" align="center" style={{ width: '100%', marginBottom: 24 }} size={8}>
          <Logo size={48} />
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t('pages.login.title')}
          </Typography.Title>
          <Typography.Text type="secondary" style={{ textAlign: 'center' }}>
            {t('pages.login.subtitle')}
          </Typography.Text>
        </Space>

        {failure && (
          <Alert
            type="error"
            showIcon
            style={{ marginBottom: 16 }}
            message={t('pages.login.failed')}
            description={failure}
            data-testid="login-error"
          />
        )}

        <Form<LoginParams> layout="vertical" requiredMark={false} onFinish={(values) => login(values)}>
          <Form.Item
            name="username"
            label={t('pages.login.fields.username')}
            rules={[{ required: true, whitespace: true, message: t('pages.login.errors.requiredUsername') }]}
          >
            <Input size="large" prefix={<UserOutlined />} autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('pages.login.fields.password')}
            rules={[{ required: true, message: t('pages.login.errors.requiredPassword') }]}
          >
            <Input.Password size="large" prefix={<LockOutlined />} autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" size="large" htmlType="submit" block loading={isPending}>
            {t('pages.login.signin')}
          </Button>
        </Form>
      </Card>
    </Layout>
  );
}
