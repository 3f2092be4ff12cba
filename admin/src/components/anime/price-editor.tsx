import { useState } from 'react';
import { App, Button, Form, InputNumber, Modal, Popconfirm, Space, Table, Typography } from 'antd';
import { formatInstant } from '../../lib/format-time';
import { useTimeZone } from '../../lib/time-zone';
import { DateTime } from '../date-time';
import { ResponsiveTable, shownFrom } from '../responsive-table';
import { EditOutlined, UndoOutlined } from '@ant-design/icons';
import { useCustomMutation, useTranslate } from '@refinedev/core';
import {
  ANIME_PATHS,
  type ImageModel,
  type PriceRule,
  type VideoModel,
} from '../../providers/anime-data-provider';

const IMAGE_RESOLUTIONS = ['1K', '2K', '4K'] as const;

/** One editable price: its table key and how the row reads. */
interface PriceCell {
  key: string;
  variant: string;
  seconds?: number;
}

/** The rule's price for one key, resolved like the server does (exact key, then wildcards). */
function lookup(rule: PriceRule, variant: string, seconds?: number): number | undefined {
  if (rule.type === 'flat') return rule.credits;
  const keys =
    seconds === undefined ? [variant, '*'] : [`${variant}:${seconds}`, `${variant}:*`, `*:${seconds}`, '*:*'];
  for (const key of keys) if (rule.table[key] !== undefined) return rule.table[key];
  return undefined;
}

/**
 * Every price a member can meet: images per resolution (MC per image, × batch size); videos per
 * resolution or mode × duration. Editing writes the full table, so no request is left unpriced.
 */
function cellsOf(target: PriceTarget): PriceCell[] {
  if (target.kind === 'image')
    return IMAGE_RESOLUTIONS.map((resolution) => ({ key: resolution, variant: resolution }));
  const { model } = target;
  const variants = model.resolutions.length ? model.resolutions : model.modes.length ? model.modes : ['*'];
  return variants.flatMap((variant) =>
    model.durations.map((seconds) => ({ key: `${variant}:${seconds}`, variant, seconds })),
  );
}

type PriceTarget = { kind: 'image'; model: ImageModel } | { kind: 'video'; model: VideoModel };

const modelId = (target: PriceTarget) =>
  target.kind === 'image' ? target.model.model_uuid : target.model.model_id;

/** "Edit price" (staff): a dialog with one amount per option; "Restore default" drops the custom rule. */
export function PriceEditor({ target, onSaved }: { target: PriceTarget; onSaved: () => void }) {
  const t = useTranslate();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<Record<string, number>>();
  const { mutate, mutation } = useCustomMutation();
  const id = modelId(target);
  const cells = cellsOf(target);
  const any = t('anime_models.any');

  const save = (price: PriceRule | null) =>
    mutate(
      {
        url: `${ANIME_PATHS.models}/${target.kind}/${encodeURIComponent(id)}/price`,
        method: 'put',
        dataProviderName: 'anime',
        values: { price },
        errorNotification: (error) => ({
          type: 'error',
          message: t('anime_models.edit.failed'),
          description: error?.message,
        }),
      },
      {
        onSuccess: () => {
          message.success(t(price ? 'anime_models.edit.saved' : 'anime_models.edit.restored', { model: id }));
          setOpen(false);
          onSaved();
        },
      },
    );

  const submit = (values: Record<string, number>) => {
    const table: Record<string, number> = {};
    // Form field names cannot hold ':' or '*' reliably; cells are addressed by index.
    cells.forEach((cell, index) => {
      table[cell.key] = values[`p${index}`]!;
    });
    save({ type: 'table', table });
  };

  const label = (cell: PriceCell) =>
    cell.seconds === undefined
      ? cell.variant
      : `${cell.variant === '*' ? any : cell.variant} · ${cell.seconds} s`;

  return (
    <Space size={4}>
      <Button
        size="small"
        icon={<EditOutlined />}
        data-testid={`edit-price-${id}`}
        onClick={() => {
          form.setFieldsValue(
            Object.fromEntries(
              cells.map((cell, index) => [
                `p${index}`,
                lookup(target.model.price, cell.variant, cell.seconds),
              ]),
            ),
          );
          setOpen(true);
        }}
      >
        {t('anime_models.edit.button')}
      </Button>
      {target.model.price_source === 'custom' && (
        <Popconfirm
          title={t('anime_models.edit.restoreConfirm', { model: id })}
          okText={t('anime_models.edit.restore')}
          onConfirm={() => save(null)}
        >
          <Button size="small" icon={<UndoOutlined />} loading={mutation.isPending}>
            {t('anime_models.edit.restore')}
          </Button>
        </Popconfirm>
      )}
      <Modal
        open={open}
        title={t('anime_models.edit.title', { model: id })}
        okText={t('anime_models.edit.save')}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        confirmLoading={mutation.isPending}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">
          {t(target.kind === 'image' ? 'anime_models.edit.imageHelp' : 'anime_models.edit.videoHelp')}
        </Typography.Paragraph>
        <Form form={form} layout="horizontal" labelCol={{ span: 10 }} onFinish={submit}>
          {cells.map((cell, index) => (
            <Form.Item
              key={cell.key}
              name={`p${index}`}
              label={label(cell)}
              rules={[
                { required: true, message: t('anime_models.edit.required') },
                { type: 'integer', min: 0, message: t('anime_models.edit.wholeNumber') },
              ]}
            >
              <InputNumber min={0} precision={0} addonAfter="MC" style={{ width: 180 }} />
            </Form.Item>
          ))}
        </Form>
      </Modal>
    </Space>
  );
}

/** Who set a custom price and when; "configured default" otherwise. */
export function PriceSourceNote({ model }: { model: ImageModel | VideoModel }) {
  const t = useTranslate();
  const timeZone = useTimeZone();
  if (model.price_source !== 'custom')
    return <Typography.Text type="secondary">{t('anime_models.source.default')}</Typography.Text>;
  return (
    <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="price-source">
      {t('anime_models.source.custom', {
        user: model.price_updated_by_name ?? model.price_updated_by,
        at: formatInstant(model.price_updated_at, timeZone) ?? '',
      })}
    </Typography.Text>
  );
}

export interface PriceChange {
  id: string;
  kind: 'image' | 'video';
  model_id: string;
  old_price: PriceRule | null;
  new_price: PriceRule | null;
  changed_by: string;
  changed_by_name: string | null;
  created_at: string;
}

/** A rule in one line: "1K 2 · 2K 4 · 4K 8" or "5 MC"; `null` is the configured default. */
function ruleText(rule: PriceRule | null, fallback: string): string {
  if (!rule) return fallback;
  if (rule.type === 'flat') return `${rule.credits} MC`;
  return Object.entries(rule.table)
    .map(([key, credits]) => `${key} ${credits}`)
    .join(' · ');
}

/** The audit trail of price changes, newest first. */
export function PriceChangesTable({ changes, loading }: { changes: PriceChange[]; loading: boolean }) {
  const t = useTranslate();
  const fallback = t('anime_models.source.default');
  return (
    <ResponsiveTable
      dataSource={changes}
      loading={loading}
      rowKey="id"
      size="small"
      pagination={false}
      data-testid="price-changes"
    >
      <Table.Column<PriceChange>
        dataIndex="created_at"
        responsive={shownFrom('lg')}
        title={t('anime_models.changes.when')}
        render={(value: string) => <DateTime value={value} />}
      />
      <Table.Column<PriceChange>
        dataIndex="model_id"
        title={t('anime_models.fields.model')}
        render={(value: string) => <Typography.Text code>{value}</Typography.Text>}
      />
      <Table.Column<PriceChange>
        dataIndex="changed_by"
        responsive={shownFrom('md')}
        title={t('anime_models.changes.by')}
        render={(id: string, change) => change.changed_by_name ?? id}
      />
      <Table.Column<PriceChange>
        key="change"
        title={t('anime_models.changes.change')}
        render={(_, change) =>
          `${ruleText(change.old_price, fallback)} → ${ruleText(change.new_price, fallback)}`
        }
      />
    </ResponsiveTable>
  );
}
