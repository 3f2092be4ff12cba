import { useState } from 'react';
import { App, Button, Form, Input, InputNumber, Modal } from 'antd';
import { PlusCircleOutlined } from '@ant-design/icons';
import { useCustomMutation, useInvalidate, useTranslate } from '@refinedev/core';
import { ANIME_PATHS, type LedgerEntry } from '../../providers/anime-data-provider';

interface GrantValues {
  amount: number;
  note?: string;
}

/** One key per opened dialog: a double submit or a retried request grants once. */
const newKey = () =>
  typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;

/**
 * "Grant credits" for one user: a positive amount adds MC, a negative one removes it (never below
 * zero; the server refuses). The ledger entry and new balance come back and the lists refresh.
 */
export function GrantCreditsButton({
  userId,
  userLabel,
  size,
}: {
  userId: string;
  userLabel: string;
  size?: 'small' | 'middle';
}) {
  const t = useTranslate();
  const { message } = App.useApp();
  const invalidate = useInvalidate();
  const [open, setOpen] = useState(false);
  const [key, setKey] = useState(newKey);
  const [form] = Form.useForm<GrantValues>();
  const { mutate, mutation } = useCustomMutation<{ entry: LedgerEntry; balance: number }>();

  const submit = (values: GrantValues) =>
    mutate(
      {
        url: ANIME_PATHS.grant,
        method: 'post',
        dataProviderName: 'anime',
        values: {
          user_id: userId,
          amount: values.amount,
          note: values.note?.trim() || undefined,
          idempotency_key: key,
        },
        errorNotification: (error) => ({
          type: 'error',
          message: t('anime_users.grant.failed'),
          description: error?.message,
        }),
      },
      {
        onSuccess: ({ data }) => {
          message.success(t('anime_users.grant.done', { amount: values.amount, balance: data.balance }));
          setOpen(false);
          form.resetFields();
          void invalidate({ resource: 'anime_users', invalidates: ['list', 'detail'], id: userId });
        },
      },
    );

  return (
    <>
      <Button
        size={size}
        icon={<PlusCircleOutlined />}
        onClick={() => {
          setKey(newKey());
          setOpen(true);
        }}
      >
        {t('anime_users.grant.button')}
      </Button>
      <Modal
        open={open}
        title={t('anime_users.grant.title', { user: userLabel })}
        okText={t('anime_users.grant.submit')}
        cancelText={t('buttons.cancel')}
        confirmLoading={mutation.isPending}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={submit} preserve={false}>
          <Form.Item
            name="amount"
            label={t('anime_users.grant.amount')}
            extra={t('anime_users.grant.amountHelp')}
            rules={[
              { required: true, message: t('anime_users.grant.amountRequired') },
              {
                validator: (_, value: number | undefined) =>
                  value === 0
                    ? Promise.reject(new Error(t('anime_users.grant.amountNonZero')))
                    : Promise.resolve(),
              },
            ]}
          >
            <InputNumber
              precision={0}
              min={-10_000_000}
              max={10_000_000}
              style={{ width: '100%' }}
              addonAfter="MC"
            />
          </Form.Item>
          <Form.Item name="note" label={t('anime_users.grant.note')}>
            <Input maxLength={255} placeholder={t('anime_users.grant.notePlaceholder')} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
