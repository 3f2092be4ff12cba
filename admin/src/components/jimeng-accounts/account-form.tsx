import { Col, Form, Input, InputNumber, Radio, Row, Select, type FormProps } from 'antd';
import { useTranslate } from '@refinedev/core';
import {
  ACCOUNT_TYPES,
  MIN_SESSION_ID_LENGTH,
  OVERSEAS_SITES,
  type AccountType,
  type AccountUpdateInput,
  type JimengAccount,
} from './types';

interface AccountFormProps {
  formProps: FormProps;
  /** Present when editing: its masked session id is shown as a hint, never put in the field. */
  record?: JimengAccount;
}

export const DEFAULT_PRIORITY = 0;
export const DEFAULT_MAX_CONCURRENT = 3;

/**
 * The single-account form, shared by "Add → Single account" and "Edit". Editing also offers the
 * Dreamina region, and treats an empty session id as "keep the current one" because the real one
 * is never sent to the browser.
 */
export function AccountForm({ formProps, record }: AccountFormProps) {
  const t = useTranslate();
  const editing = record !== undefined;
  const type = Form.useWatch<AccountType | undefined>('jimeng_account_type', formProps.form);

  return (
    <Form
      {...formProps}
      layout="vertical"
      style={{ maxWidth: 640 }}
      initialValues={
        editing
          ? { ...record, site_type: normalizeSite(record.site_type), session_id: undefined }
          : { jimeng_account_type: 0, priority: DEFAULT_PRIORITY, max_concurrent: DEFAULT_MAX_CONCURRENT }
      }
      onFinish={(values: AccountUpdateInput) => {
        const input = editing ? changedAccountFields(values, record) : trimmed(values);
        return formProps.onFinish?.(input);
      }}
    >
      <Form.Item
        label={t('jimeng_accounts.fields.jimeng_account')}
        name="jimeng_account"
        rules={[
          { required: true, whitespace: true, message: t('jimeng_accounts.validation.jimeng_account') },
        ]}
      >
        <Input placeholder={t('jimeng_accounts.placeholders.jimeng_account')} autoComplete="off" />
      </Form.Item>

      <Row gutter={16}>
        <Col xs={24} sm={12}>
          <Form.Item
            label={t('jimeng_accounts.fields.jimeng_account_type')}
            name="jimeng_account_type"
            rules={[{ required: true }]}
          >
            <Radio.Group
              optionType="button"
              buttonStyle="solid"
              options={ACCOUNT_TYPES.map((value) => ({
                value,
                label: t(`jimeng_accounts.accountType.${value}`),
              }))}
            />
          </Form.Item>
        </Col>
        {editing && type === 1 && (
          <Col xs={24} sm={12}>
            <Form.Item
              label={t('jimeng_accounts.fields.site_type')}
              name="site_type"
              extra={t('jimeng_accounts.help.site_type')}
            >
              <Select
                placeholder="hk"
                options={OVERSEAS_SITES.map((value) => ({
                  value,
                  label: t(`jimeng_accounts.site.${value}`),
                }))}
              />
            </Form.Item>
          </Col>
        )}
      </Row>

      <Form.Item
        label={t('jimeng_accounts.fields.session_id')}
        name="session_id"
        extra={editing ? t('jimeng_accounts.help.session_id_keep') : undefined}
        rules={[
          { required: !editing, whitespace: true, message: t('jimeng_accounts.validation.session_id') },
          { min: MIN_SESSION_ID_LENGTH, message: t('jimeng_accounts.bulk.reasons.session') },
        ]}
      >
        <Input.Password
          autoComplete="new-password"
          placeholder={
            editing
              ? t('jimeng_accounts.placeholders.session_id_keep', { masked: record.session_id })
              : t('jimeng_accounts.placeholders.session_id')
          }
        />
      </Form.Item>

      <Row gutter={16}>
        <Col xs={24} sm={12}>
          <Form.Item
            label={t('jimeng_accounts.fields.priority')}
            name="priority"
            extra={t('jimeng_accounts.help.priority')}
          >
            <InputNumber min={-100} max={100} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item
            label={t('jimeng_accounts.fields.max_concurrent')}
            name="max_concurrent"
            extra={t('jimeng_accounts.help.max_concurrent')}
          >
            <InputNumber min={1} max={50} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
      </Row>
    </Form>
  );
}

function normalizeSite(site: JimengAccount['site_type']): JimengAccount['site_type'] | undefined {
  return site === 0 || site === '0' ? undefined : site;
}

function trimmed(values: AccountUpdateInput): AccountUpdateInput {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [key, typeof value === 'string' ? value.trim() : value]),
  ) as AccountUpdateInput;
}

const EDITABLE_FIELDS = [
  'jimeng_account',
  'jimeng_account_type',
  'site_type',
  'priority',
  'max_concurrent',
] as const satisfies readonly (keyof AccountUpdateInput)[];

/**
 * Only what staff changed goes to `accounts/update`; a blank session id means "keep". The region is
 * sent only for overseas accounts: for China the server derives it.
 */
export function changedAccountFields(values: AccountUpdateInput, record: JimengAccount): AccountUpdateInput {
  const changes: Record<string, unknown> = {};
  for (const field of EDITABLE_FIELDS) {
    const value = values[field];
    if (value === undefined || value === null) continue;
    const next = typeof value === 'string' ? value.trim() : value;
    if (next !== record[field]) changes[field] = next;
  }
  const overseas = (values.jimeng_account_type ?? record.jimeng_account_type) === 1;
  if (!overseas) delete changes.site_type;
  const sessionId = values.session_id?.trim();
  if (sessionId) changes.session_id = sessionId;
  return changes as AccountUpdateInput;
}
