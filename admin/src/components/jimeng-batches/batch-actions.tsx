import { useState } from 'react';
import { Button, Checkbox, Form, Input, Modal, Space, Typography } from 'antd';
import { RedoOutlined, StopOutlined } from '@ant-design/icons';
import { useCustomMutation, useTranslate } from '@refinedev/core';
import { resourceActionUrl } from '../../providers/data-provider';
import { resourceApis } from '../../resources';
import type { BatchCancelResult, BatchRetryResult } from '@dreamloom/contracts';
import { isActive, type BatchDetail } from './types';

const RESOURCE = 'jimeng_batches';

interface BatchActionsProps {
  detail: BatchDetail;
  /** Storyboards picked in the table; empty means "every failed one". */
  selected: string[];
  onDone: () => void;
}

/** Retry failed (optionally forced, contract 003 §10.2) and cancel with a reason (§10.3). */
export function BatchActions({ detail, selected, onDone }: BatchActionsProps) {
  const t = useTranslate();
  const [retryOpen, setRetryOpen] = useState(false);
  const [force, setForce] = useState(false);
  const [cancelOpen, setCancelOpen] = useState(false);
  const [cancelForm] = Form.useForm<{ reason: string }>();
  const retry = useCustomMutation<BatchRetryResult>();
  const cancel = useCustomMutation<BatchCancelResult>();
  const params = { batch_id: detail.batch_id };
  // With no selection the server retries every failed and cancelled storyboard (§10.2).
  const failed = detail.details.filter((row) => row.status === 'failed' || row.status === 'cancelled').length;
  const canRetry = selected.length > 0 || failed > 0;

  const submitRetry = () =>
    retry.mutate(
      {
        url: resourceActionUrl(resourceApis, RESOURCE, 'retry', params),
        method: 'post',
        values: {
          ...(selected.length > 0 ? { storyboard_ids: selected } : {}),
          force_regenerate: force,
        },
        successNotification: (response) => ({
          type: 'success',
          message: t('jimeng_batches.actions.retrySuccess', { count: response?.data.retry_count ?? 0 }),
        }),
        errorNotification: (error) => ({
          type: 'error',
          message: t('jimeng_batches.actions.retryError'),
          description: error?.message,
        }),
      },
      {
        onSuccess: () => {
          setRetryOpen(false);
          setForce(false);
          onDone();
        },
      },
    );

  const submitCancel = async () => {
    const { reason } = await cancelForm.validateFields();
    cancel.mutate(
      {
        url: resourceActionUrl(resourceApis, RESOURCE, 'cancel', params),
        method: 'post',
        values: { reason: reason.trim() },
        successNotification: (response) => ({
          type: 'success',
          message: t('jimeng_batches.actions.cancelSuccess', {
            cancelled: response?.data.cancelled_count ?? 0,
            completed: response?.data.completed_count ?? 0,
          }),
        }),
        errorNotification: (error) => ({
          type: 'error',
          message: t('jimeng_batches.actions.cancelError'),
          description: error?.message,
        }),
      },
      {
        onSuccess: () => {
          setCancelOpen(false);
          cancelForm.resetFields();
          onDone();
        },
      },
    );
  };

  return (
    <Space wrap>
      <Button
        icon={<RedoOutlined />}
        disabled={!canRetry}
        onClick={() => setRetryOpen(true)}
        data-testid="batch-retry"
      >
        {selected.length > 0
          ? t('jimeng_batches.actions.retrySelected', { count: selected.length })
          : t('jimeng_batches.actions.retryFailed', { count: failed })}
      </Button>
      <Button
        danger
        icon={<StopOutlined />}
        disabled={!isActive(String(detail.status))}
        onClick={() => setCancelOpen(true)}
        data-testid="batch-cancel"
      >
        {t('jimeng_batches.actions.cancel')}
      </Button>

      <Modal
        open={retryOpen}
        title={t('jimeng_batches.actions.retryTitle')}
        okText={t('jimeng_batches.actions.retryOk')}
        confirmLoading={retry.mutation.isPending}
        onOk={submitRetry}
        onCancel={() => setRetryOpen(false)}
        destroyOnHidden
      >
        <Space direction="vertical">
          <Typography.Text>
            {selected.length > 0
              ? t('jimeng_batches.actions.retrySelectedHelp', { count: selected.length })
              : t('jimeng_batches.actions.retryFailedHelp', { count: failed })}
          </Typography.Text>
          <Checkbox checked={force} onChange={(event) => setForce(event.target.checked)}>
            {t('jimeng_batches.actions.force')}
          </Checkbox>
          <Typography.Text type="secondary">{t('jimeng_batches.actions.forceHelp')}</Typography.Text>
        </Space>
      </Modal>

      <Modal
        open={cancelOpen}
        title={t('jimeng_batches.actions.cancelTitle')}
        okText={t('jimeng_batches.actions.cancelOk')}
        okButtonProps={{ danger: true }}
        confirmLoading={cancel.mutation.isPending}
        onOk={() => void submitCancel()}
        onCancel={() => setCancelOpen(false)}
      >
        <Typography.Paragraph type="secondary">{t('jimeng_batches.actions.cancelHelp')}</Typography.Paragraph>
        <Form form={cancelForm} layout="vertical">
          <Form.Item
            name="reason"
            label={t('jimeng_batches.actions.cancelReason')}
            rules={[
              { required: true, whitespace: true, message: t('jimeng_batches.actions.cancelReasonRequired') },
            ]}
          >
            <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} maxLength={500} showCount />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
