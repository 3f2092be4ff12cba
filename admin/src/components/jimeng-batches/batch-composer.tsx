import { useMemo, useState } from 'react';
import {
  Alert,
  Button,
  Col,
  Drawer,
  Form,
  Input,
  Radio,
  Row,
  Select,
  Space,
  Table,
  Tag,
  Typography,
  Upload,
} from 'antd';
import { InboxOutlined, SendOutlined } from '@ant-design/icons';
import { useCustom, useNavigation, useNotification, useTranslate, type HttpError } from '@refinedev/core';
import { API_URL, isHttpError, request } from '../../providers/api-client';
import type { AccountStatistics, BatchSubmitResult } from '@dreamloom/contracts';
import { splitRefusal } from './batch-refusal';
import { buildBatchRequest, type ComposerValues } from './batch-request';
import {
  BATCH_MAX_ITEMS,
  COMPOSER_KINDS,
  COMPOSER_KIND_SPECS,
  DURATIONS,
  EXISTING_RECORDS,
  MODEL_PATTERN,
  PRIORITIES,
  RATIOS,
  RESOLUTIONS,
  STRATEGIES,
  type ComposerKind,
} from './composer-kinds';
import { isSubmittable, parseStoryboards, type ParseIssue, type ParsedRow } from './storyboard-parser';

const MONO = 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
const OVERRIDES = ['negative_prompt', 'model', 'ratio', 'resolution', 'duration', 'sample_strength'] as const;

/** Accounts that can take this kind of job now (contract 003 §7.1 statistics), shown before submitting. */
function AvailableAccounts({ media }: { media: 'image' | 'video' }) {
  const t = useTranslate();
  const { query } = useCustom<AccountStatistics>({
    url: `${API_URL}/api/v1/jimeng/accounts/statistics`,
    method: 'get',
    queryOptions: { refetchInterval: 15_000 },
    errorNotification: false,
  });
  const stats = query.data?.data;
  if (!stats) return null;
  const available = media === 'image' ? stats.image_available_accounts : stats.video_available_accounts;
  return (
    <Alert
      type={available > 0 ? 'info' : 'warning'}
      showIcon
      data-testid="composer-accounts"
      message={t(`jimeng_batches.composer.accounts.${media}`, { count: available })}
      description={available > 0 ? undefined : t('jimeng_batches.composer.accounts.none')}
      style={{ marginBottom: 12 }}
    />
  );
}

/**
 * The batch composer (contract 003 §9): storyboards pasted or uploaded as CSV, TSV or JSON are
 * checked row by row as they are typed, the batch type and global_config are picked beside them,
 * and the accounts that can take the work are shown. Submitting opens the new batch's live page; a
 * refusal (400) lands on the rows or fields it names, the rest in a notification.
 */
export function BatchComposer({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useTranslate();
  const { open: notify } = useNotification();
  const { show } = useNavigation();
  const [form] = Form.useForm<ComposerValues>();
  const kind: ComposerKind = Form.useWatch('kind', form) ?? 't2i';
  const spec = COMPOSER_KIND_SPECS[kind];
  const [text, setText] = useState('');
  const [submitting, setSubmitting] = useState(false);
  // The server's refusals by row; they describe the input as sent, so any edit clears them.
  const [refusedRows, setRefusedRows] = useState<Record<number, string[]>>({});
  const parsed = useMemo(() => parseStoryboards(text, kind), [text, kind]);
  const badRows = parsed.rows.filter((row) => row.errors.length || refusedRows[row.row]).length;

  const issueText = (issue: ParseIssue) =>
    t(`jimeng_batches.composer.errors.${issue.code}`, {
      field: issue.field ?? '',
      ...issue.params,
      defaultValue: issue.code,
    });

  const changeText = (next: string) => {
    setText(next);
    setRefusedRows({});
  };

  const submit = async () => {
    const values = await form.validateFields();
    if (!isSubmittable(parsed)) return;
    const { path, body } = buildBatchRequest(
      values,
      parsed.rows.map((row) => row.item),
    );
    setSubmitting(true);
    try {
      const { data } = await request<BatchSubmitResult>(path, { method: 'POST', body });
      notify?.({
        type: 'success',
        key: 'batch-composer',
        message: t('jimeng_batches.composer.submitted', {
          queued: data.queue_count,
          skipped: data.skip_count ?? 0,
        }),
      });
      setText('');
      onClose();
      show('jimeng_batches', data.batch_id);
    } catch (caught) {
      const error: HttpError = isHttpError(caught)
        ? caught
        : { statusCode: 0, message: caught instanceof Error ? caught.message : String(caught) };
      const refusal =
        error.statusCode === 400
          ? splitRefusal(error.message)
          : { rows: {}, fields: {}, general: [error.message] };
      setRefusedRows(refusal.rows);
      form.setFields(
        Object.entries(refusal.fields).map(([name, message]) => ({
          name: name === 'account_strategy' ? 'load_balance' : (name as keyof ComposerValues),
          errors: [message],
        })),
      );
      const rows = Object.keys(refusal.rows).length;
      if (refusal.general.length || (!rows && !Object.keys(refusal.fields).length))
        notify?.({
          type: 'error',
          key: 'batch-composer',
          message: t('jimeng_batches.composer.refused'),
          description: refusal.general.join('\n') || error.message,
        });
      else if (rows)
        notify?.({
          type: 'error',
          key: 'batch-composer',
          message: t('jimeng_batches.composer.refusedRows', { count: rows }),
        });
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Drawer
      open={open}
      onClose={onClose}
      width="min(1100px, 100vw)"
      title={t('jimeng_batches.composer.title')}
      destroyOnHidden={false}
      data-testid="batch-composer"
      extra={
        <Button
          type="primary"
          icon={<SendOutlined />}
          loading={submitting}
          disabled={!isSubmittable(parsed)}
          onClick={() => void submit()}
          data-testid="composer-submit"
        >
          {t('jimeng_batches.composer.submit', { count: parsed.rows.length })}
        </Button>
      }
    >
      <Form<ComposerValues>
        form={form}
        layout="vertical"
        initialValues={{ kind: 't2i', existing_records: 'overwrite', priority: 3 }}
        requiredMark="optional"
      >
        <Form.Item name="kind" label={t('jimeng_batches.composer.fields.kind')} rules={[{ required: true }]}>
          <Radio.Group
            optionType="button"
            buttonStyle="solid"
            data-testid="composer-kind"
            options={COMPOSER_KINDS.map((value) => ({
              value,
              label: t(`jimeng_batches.type.${COMPOSER_KIND_SPECS[value].batchType}`),
            }))}
          />
        </Form.Item>
        <AvailableAccounts media={spec.media} />
        <Row gutter={12}>
          <Col xs={24} md={8}>
            <Form.Item
              name="work_id"
              label={t('jimeng_batches.fields.work_id')}
              rules={[
                { required: true, whitespace: true, message: t('jimeng_batches.composer.workRequired') },
              ]}
            >
              <Input maxLength={128} data-testid="composer-work-id" />
            </Form.Item>
          </Col>
          <Col xs={12} md={8}>
            <Form.Item name="project_id" label={t('jimeng_batches.composer.fields.project_id')}>
              <Input maxLength={128} />
            </Form.Item>
          </Col>
          <Col xs={12} md={8}>
            <Form.Item name="project_name" label={t('jimeng_batches.composer.fields.project_name')}>
              <Input maxLength={255} />
            </Form.Item>
          </Col>
        </Row>
        <Typography.Title level={5} style={{ marginTop: 0 }}>
          {t('jimeng_batches.composer.globalConfig')}
        </Typography.Title>
        <Row gutter={12}>
          <Col xs={12} md={6}>
            <Form.Item
              name="model"
              label={t('jimeng_batches.composer.fields.model')}
              rules={[{ pattern: MODEL_PATTERN, message: t('jimeng_batches.composer.badModel') }]}
            >
              <Input placeholder={spec.media === 'image' ? 'jimeng-4.5' : 'jimeng-video-3.0'} allowClear />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item name="ratio" label={t('jimeng_batches.composer.fields.ratio')}>
              <Select
                allowClear
                placeholder={spec.media === 'image' ? '1:1' : '16:9'}
                options={RATIOS.map((value) => ({ value, label: value }))}
              />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item name="resolution" label={t('jimeng_batches.composer.fields.resolution')}>
              <Select
                allowClear
                placeholder={spec.media === 'image' ? '2k' : '720p'}
                options={RESOLUTIONS.map((value) => ({ value, label: value }))}
              />
            </Form.Item>
          </Col>
          {spec.media === 'video' && (
            <Col xs={12} md={6}>
              <Form.Item name="duration" label={t('jimeng_batches.composer.fields.duration')}>
                <Select
                  allowClear
                  placeholder="5"
                  options={DURATIONS.map((value) => ({
                    value,
                    label: t('jimeng_batches.composer.seconds', { count: value }),
                  }))}
                />
              </Form.Item>
            </Col>
          )}
          <Col xs={12} md={6}>
            <Form.Item
              name="existing_records"
              label={t('jimeng_batches.composer.fields.existing_records')}
              tooltip={t('jimeng_batches.composer.existingHelp')}
            >
              <Radio.Group
                options={EXISTING_RECORDS.map((value) => ({
                  value,
                  label: t(`jimeng_batches.composer.existing.${value}`),
                }))}
              />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item name="load_balance" label={t('jimeng_batches.composer.fields.strategy')}>
              <Select
                allowClear
                placeholder={t('jimeng_batches.composer.strategyDefault')}
                options={STRATEGIES.map((value) => ({
                  value,
                  label: t(`jimeng_batches.composer.strategy.${value}`),
                }))}
              />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item
              name="priority"
              label={t('jimeng_batches.fields.priority')}
              rules={[{ required: true }]}
            >
              <Select
                options={PRIORITIES.map((value) => ({ value, label: t(`jimeng_batches.priority.${value}`) }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              name="callback_url"
              label={t('jimeng_batches.composer.fields.callback_url')}
              tooltip={t('jimeng_batches.composer.callbackHelp')}
              // Only the shape here: which hosts may be called is the server's outbound policy.
              rules={[{ pattern: /^https?:\/\/\S+$/, message: t('jimeng_batches.composer.badCallback') }]}
            >
              <Input placeholder="https://…" allowClear data-testid="composer-callback" />
            </Form.Item>
          </Col>
        </Row>
      </Form>

      <Typography.Title level={5}>{t('jimeng_batches.composer.storyboards')}</Typography.Title>
      <Typography.Paragraph type="secondary">
        {t('jimeng_batches.composer.inputHelp', { max: BATCH_MAX_ITEMS[spec.media] })}
      </Typography.Paragraph>
      <Space direction="vertical" style={{ width: '100%' }} size={8}>
        <Upload.Dragger
          accept=".csv,.tsv,.txt,.json,text/csv,text/tab-separated-values,application/json"
          showUploadList={false}
          maxCount={1}
          beforeUpload={(file) => {
            void file.text().then(changeText);
            return false;
          }}
          style={{ padding: 0 }}
        >
          <Space>
            <InboxOutlined />
            {t('jimeng_batches.composer.upload')}
          </Space>
        </Upload.Dragger>
        <Input.TextArea
          value={text}
          onChange={(event) => changeText(event.target.value)}
          autoSize={{ minRows: 5, maxRows: 14 }}
          placeholder={'storyboard_id,prompt,ratio\nsb-01,"A lantern-lit street, at night",16:9'}
          style={{ fontFamily: MONO, fontSize: 12 }}
          data-testid="composer-input"
        />
        {parsed.format !== 'empty' && (
          <Space wrap data-testid="composer-summary">
            <Tag>{parsed.format.toUpperCase()}</Tag>
            <Typography.Text>
              {t('jimeng_batches.composer.rows', { count: parsed.rows.length })}
            </Typography.Text>
            {badRows > 0 && (
              <Typography.Text type="danger">
                {t('jimeng_batches.composer.rowsWithErrors', { count: badRows })}
              </Typography.Text>
            )}
          </Space>
        )}
        {parsed.errors.map((issue) => (
          <Alert
            key={issue.code}
            type="error"
            showIcon
            message={issueText(issue)}
            data-testid="composer-error"
          />
        ))}
        {parsed.unknownColumns.length > 0 && (
          <Alert
            type="warning"
            showIcon
            data-testid="composer-unknown-columns"
            message={t('jimeng_batches.composer.unknownColumns', {
              columns: parsed.unknownColumns.join(', '),
            })}
          />
        )}
        {parsed.rows.length > 0 && (
          <Table<ParsedRow>
            dataSource={parsed.rows}
            rowKey="row"
            size="small"
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            scroll={{ x: 900 }}
            data-testid="composer-rows"
            onRow={(row) =>
              ({
                'data-row': row.row,
                'data-invalid': row.errors.length || refusedRows[row.row] ? 'true' : 'false',
              }) as React.HTMLAttributes<HTMLElement>
            }
          >
            <Table.Column<ParsedRow> dataIndex="row" title="#" width={50} />
            <Table.Column<ParsedRow>
              key="storyboard_id"
              title={t('jimeng_batches.fields.storyboard_id')}
              width={140}
              render={(_, row) => (
                <Typography.Text style={{ fontFamily: MONO, fontSize: 12 }}>
                  {row.item.storyboard_id || '—'}
                </Typography.Text>
              )}
            />
            <Table.Column<ParsedRow>
              key="prompt"
              title={t('jimeng_batches.composer.fields.prompt')}
              render={(_, row) => (
                <Typography.Paragraph
                  ellipsis={{ rows: 2 }}
                  style={{ marginBottom: 0, whiteSpace: 'pre-line' }}
                >
                  {row.item.prompt || '—'}
                </Typography.Paragraph>
              )}
            />
            <Table.Column<ParsedRow>
              key="overrides"
              title={t('jimeng_batches.composer.overrides')}
              width={220}
              render={(_, row) => (
                <Space size={[4, 4]} wrap>
                  {OVERRIDES.filter((field) => row.item[field] !== undefined).map((field) => (
                    <Tag key={field} bordered={false}>
                      {field}: {String(row.item[field])}
                    </Tag>
                  ))}
                  {row.item.input_images?.length ? (
                    <Tag bordered={false} color="blue">
                      {t('jimeng_batches.composer.images', { count: row.item.input_images.length })}
                    </Tag>
                  ) : null}
                </Space>
              )}
            />
            <Table.Column<ParsedRow>
              key="errors"
              title={t('jimeng_batches.composer.problems')}
              width={280}
              render={(_, row) => {
                const messages = [...row.errors.map(issueText), ...(refusedRows[row.row] ?? [])];
                if (!messages.length) return <Typography.Text type="success">✓</Typography.Text>;
                return (
                  <Space direction="vertical" size={0} data-testid="composer-row-errors">
                    {messages.map((message) => (
                      <Typography.Text key={message} type="danger" style={{ fontSize: 12 }}>
                        {message}
                      </Typography.Text>
                    ))}
                  </Space>
                );
              }}
            />
          </Table>
        )}
      </Space>
    </Drawer>
  );
}
