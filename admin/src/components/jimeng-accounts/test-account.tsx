import { useState } from 'react';
import { Alert, Button, Descriptions, Modal, Result, Tooltip } from 'antd';
import { ApiOutlined } from '@ant-design/icons';
import { useCustomMutation, useInvalidate, useTranslate } from '@refinedev/core';
import { resourceActionUrl } from '../../providers/data-provider';
import { resourceApis } from '../../resources';
import type { AccountTestResult } from '@dreamloom/contracts';
import type { JimengAccount } from './types';

const RESOURCE = 'jimeng_accounts';

/** `POST /api/v1/jimeng/accounts/test`: is the session live, and its points right now. */
export type { AccountTestResult };

interface Shown {
  account: Pick<JimengAccount, 'id' | 'jimeng_account'>;
  result: AccountTestResult;
}

/**
 * "Test now": asks the gateway whether the account's session still works and reads its points
 * (which also refreshes the credits column), then shows the answer in a dialog.
 */
export function useAccountTest() {
  const t = useTranslate();
  const invalidate = useInvalidate();
  const test = useCustomMutation<AccountTestResult>();
  const [shown, setShown] = useState<Shown | null>(null);

  const run = (account: Pick<JimengAccount, 'id' | 'jimeng_account'>) =>
    test.mutate(
      {
        url: resourceActionUrl(resourceApis, RESOURCE, 'test'),
        method: 'post',
        values: { id: account.id },
        successNotification: false,
        errorNotification: (error) => ({
          type: 'error',
          message: t('jimeng_accounts.test.error', { account: account.jimeng_account }),
          description: error?.message,
        }),
      },
      {
        onSuccess: (response) => {
          setShown({ account, result: response.data });
          void invalidate({ resource: RESOURCE, invalidates: ['list'] });
        },
      },
    );

  const testingId = test.mutation.isPending
    ? ((test.mutation.variables?.values as { id?: string } | undefined)?.id ?? null)
    : null;

  const title = shown ? t(`jimeng_accounts.test.${shown.result.live ? 'live' : 'dead'}`) : '';
  const dialog = (
    <Modal
      open={shown !== null}
      onCancel={() => setShown(null)}
      footer={
        <Button type="primary" onClick={() => setShown(null)}>
          {t('jimeng_accounts.test.close')}
        </Button>
      }
      title={t('jimeng_accounts.test.title', { account: shown?.account.jimeng_account ?? '' })}
    >
      {shown && (
        <div data-testid="account-test-result">
          <Result
            status={shown.result.live ? 'success' : 'error'}
            title={title}
            subTitle={shown.result.message !== title ? shown.result.message : undefined}
            style={{ padding: '16px 0' }}
          />
          {shown.result.credits ? (
            <Descriptions size="small" bordered column={2}>
              <Descriptions.Item label={t('jimeng_accounts.test.total')} span={2}>
                <strong>{shown.result.credits.totalCredit.toLocaleString()}</strong>
              </Descriptions.Item>
              <Descriptions.Item label={t('jimeng_accounts.test.gift')}>
                {shown.result.credits.giftCredit.toLocaleString()}
              </Descriptions.Item>
              <Descriptions.Item label={t('jimeng_accounts.test.purchase')}>
                {shown.result.credits.purchaseCredit.toLocaleString()}
              </Descriptions.Item>
              <Descriptions.Item label={t('jimeng_accounts.test.vip')}>
                {shown.result.credits.vipCredit.toLocaleString()}
              </Descriptions.Item>
            </Descriptions>
          ) : (
            <Alert type="info" showIcon message={t('jimeng_accounts.test.noCredits')} />
          )}
        </div>
      )}
    </Modal>
  );

  return { run, testingId, dialog };
}

export function TestAccountButton({ onClick, loading }: { onClick: () => void; loading: boolean }) {
  const t = useTranslate();
  return (
    <Tooltip title={t('jimeng_accounts.test.action')}>
      <Button
        size="small"
        icon={<ApiOutlined />}
        aria-label={t('jimeng_accounts.test.action')}
        loading={loading}
        onClick={onClick}
      />
    </Tooltip>
  );
}
