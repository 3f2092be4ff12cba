import { useMemo, useState } from 'react';
import { Alert, Button, Form, Input, Radio, Result, Space, Typography } from 'antd';
import { CloudUploadOutlined } from '@ant-design/icons';
import { useCreateMany, useGo, useTranslate, type HttpError } from '@refinedev/core';
import type { BulkSummary, CreateManyResult } from '../../providers/data-provider';
import { parseBulkAccounts, type BulkLineProblem } from './bulk-accounts';
import { ACCOUNT_TYPES, type AccountCreateInput, type AccountType } from './types';

const RESOURCE = 'jimeng_accounts';

/** Paste many `account,session_id[,type]` lines and add them with one `accounts/create` call. */
export function BulkAddForm() {
  const t = useTranslate();
  const go = useGo();
  const [text, setText] = useState('');
  const [defaultType, setDefaultType] = useState<AccountType>(0);
  const [summary, setSummary] = useState<BulkSummary | null>(null);
  const [touched, setTouched] = useState(false);
  const { mutate, mutation } = useCreateMany<AccountCreateInput, HttpError, AccountCreateInput>();

  const parsed = useMemo(() => parseBulkAccounts(text, defaultType), [text, defaultType]);
  const problemText = (problem: BulkLineProblem) =>
    t('jimeng_accounts.bulk.invalid', {
      line: problem.line,
      reason: t(
        `jimeng_accounts.bulk.reasons.${problem.reason}`,
        problem.reason === 'duplicate' ? { line: problem.firstLine } : {},
      ),
    });

  const submit = () => {
    setTouched(true);
    if (parsed.problems.length > 0 || parsed.accounts.length === 0) return;
    mutate(
      {
        resource: RESOURCE,
        values: parsed.accounts,
        successNotification: false,
      },
      {
        onSuccess: (response) => {
          setSummary((response as CreateManyResult<AccountCreateInput>).summary);
        },
      },
    );
  };

  if (summary) {
    const failed = summary.failed_count > 0;
    return (
      <Result
        status={summary.success_count === 0 ? 'error' : failed ? 'warning' : 'success'}
        title={t('jimeng_accounts.bulk.resultTitle')}
        subTitle={
          <Space direction="vertical" size={4}>
            <span data-testid="bulk-result">
              {t('jimeng_accounts.bulk.result', {
                success: summary.success_count,
                failed: summary.failed_count,
              })}
            </span>
            {failed && (
              <Typography.Text type="secondary">{t('jimeng_accounts.bulk.resultFailedHint')}</Typography.Text>
            )}
          </Space>
        }
        extra={[
          <Button
            key="list"
            type="primary"
            onClick={() => go({ to: { resource: RESOURCE, action: 'list' } })}
          >
            {t('jimeng_accounts.bulk.backToList')}
          </Button>,
          <Button
            key="again"
            onClick={() => {
              setSummary(null);
              setText('');
              setTouched(false);
            }}
          >
            {t('jimeng_accounts.actions.bulkAdd')}
          </Button>,
        ]}
      />
    );
  }

  const showEmpty = touched && parsed.accounts.length === 0 && parsed.problems.length === 0;

  return (
    <Form layout="vertical" style={{ maxWidth: 880 }} onFinish={submit}>
      <Form.Item
        label={t('jimeng_accounts.bulk.defaultType')}
        extra={t('jimeng_accounts.bulk.defaultTypeHelp')}
      >
        <Radio.Group
          optionType="button"
          buttonStyle="solid"
          value={defaultType}
          onChange={(event) => setDefaultType(event.target.value as AccountType)}
          options={ACCOUNT_TYPES.map((value) => ({
            value,
            label: t(`jimeng_accounts.accountType.${value}`),
          }))}
        />
      </Form.Item>

      <Form.Item
        label={t('jimeng_accounts.bulk.lines')}
        extra={t('jimeng_accounts.bulk.linesHelp')}
        validateStatus={parsed.problems.length > 0 || showEmpty ? 'error' : undefined}
      >
        <Input.TextArea
          value={text}
          onChange={(event) => setText(event.target.value)}
          autoSize={{ minRows: 8, maxRows: 20 }}
          placeholder={t('jimeng_accounts.bulk.placeholder')}
          spellCheck={false}
          style={{ fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace' }}
          data-testid="bulk-textarea"
        />
      </Form.Item>

      {parsed.problems.length > 0 && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          message={t('jimeng_accounts.bulk.fixErrors')}
          description={
            <ul style={{ margin: 0, paddingInlineStart: 18 }}>
              {parsed.problems.slice(0, 20).map((problem) => (
                <li key={problem.line}>{problemText(problem)}</li>
              ))}
              {parsed.problems.length > 20 && <li>…</li>}
            </ul>
          }
        />
      )}
      {showEmpty && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          message={t('jimeng_accounts.bulk.empty')}
        />
      )}

      <Space>
        <Button
          type="primary"
          htmlType="submit"
          icon={<CloudUploadOutlined />}
          loading={mutation.isPending}
          disabled={parsed.problems.length > 0}
        >
          {t('jimeng_accounts.bulk.submit', { count: parsed.accounts.length })}
        </Button>
        {parsed.accounts.length > 0 && parsed.problems.length === 0 && (
          <Typography.Text type="secondary">
            {t('jimeng_accounts.bulk.parsed', { count: parsed.accounts.length })}
          </Typography.Text>
        )}
      </Space>
    </Form>
  );
}
