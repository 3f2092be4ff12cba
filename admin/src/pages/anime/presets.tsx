import {
  Form,
  Input,
  InputNumber,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
  type FormProps,
} from 'antd';
import { Create, Edit, EditButton, List, getDefaultFilter, useForm, useTable } from '@refinedev/antd';
import { useTranslate, type HttpError } from '@refinedev/core';
import { ResponsiveTable, shownFrom } from '../../components/responsive-table';
import { PRESET_KINDS, type AnimePreset, type PresetKind } from '../../providers/anime-data-provider';

const RESOURCE = 'anime_presets';
const KEY_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Style, scene, outfit and action presets (inactive ones too), filtered by kind. */
export function AnimePresetList() {
  const t = useTranslate();
  const { tableProps, filters, setFilters } = useTable<AnimePreset, HttpError>({
    resource: RESOURCE,
    syncWithLocation: true,
    pagination: { pageSize: 50 },
  });
  const kind = getDefaultFilter('kind', filters) as PresetKind | undefined;
  return (
    <List>
      <Space style={{ marginBottom: 16 }}>
        <Typography.Text>{t(`${RESOURCE}.fields.kind`)}</Typography.Text>
        <Select
          allowClear
          style={{ width: 160 }}
          value={kind}
          placeholder={t(`${RESOURCE}.allKinds`)}
          onChange={(value?: string) => setFilters([{ field: 'kind', operator: 'eq', value }], 'replace')}
          options={PRESET_KINDS.map((value) => ({ value, label: t(`${RESOURCE}.kinds.${value}`) }))}
        />
      </Space>
      <ResponsiveTable {...tableProps} rowKey="id">
        <Table.Column<AnimePreset>
          dataIndex="kind"
          responsive={shownFrom('md')}
          title={t(`${RESOURCE}.fields.kind`)}
          render={(value: PresetKind) => <Tag color="purple">{t(`${RESOURCE}.kinds.${value}`)}</Tag>}
        />
        <Table.Column<AnimePreset>
          dataIndex="key"
          title={t(`${RESOURCE}.fields.key`)}
          render={(key: string) => <Typography.Text code>{key}</Typography.Text>}
        />
        <Table.Column<AnimePreset>
          dataIndex="name"
          responsive={shownFrom('sm')}
          title={t(`${RESOURCE}.fields.name`)}
        />
        <Table.Column<AnimePreset>
          dataIndex="prompt"
          responsive={shownFrom('lg')}
          title={t(`${RESOURCE}.fields.prompt`)}
          render={(prompt: string) => (
            <Typography.Paragraph
              ellipsis={{ rows: 2, tooltip: prompt }}
              style={{ margin: 0, maxWidth: 420 }}
            >
              {prompt}
            </Typography.Paragraph>
          )}
        />
        <Table.Column<AnimePreset>
          dataIndex="sort_order"
          responsive={shownFrom('xl')}
          align="right"
          title={t(`${RESOURCE}.fields.sortOrder`)}
        />
        <Table.Column<AnimePreset>
          dataIndex="is_active"
          responsive={shownFrom('md')}
          title={t(`${RESOURCE}.fields.isActive`)}
          render={(active: boolean) => (
            <Tag color={active ? 'success' : 'default'}>{t(active ? 'anime.active' : 'anime.inactive')}</Tag>
          )}
        />
        <Table.Column<AnimePreset>
          key="actions"
          title={t('table.actions')}
          render={(_, preset) => <EditButton hideText size="small" recordItemId={preset.id} />}
        />
      </ResponsiveTable>
    </List>
  );
}

function PresetForm({ formProps, editing }: { formProps: FormProps; editing: boolean }) {
  const t = useTranslate();
  return (
    <Form
      {...formProps}
      layout="vertical"
      initialValues={{ kind: 'style', sort_order: 0, is_active: true, ...formProps.initialValues }}
    >
      <Space wrap align="start" size="large">
        <Form.Item
          name="kind"
          label={t(`${RESOURCE}.fields.kind`)}
          rules={[{ required: true, message: t('anime.required') }]}
        >
          <Select
            disabled={editing}
            style={{ width: 160 }}
            options={PRESET_KINDS.map((value) => ({ value, label: t(`${RESOURCE}.kinds.${value}`) }))}
          />
        </Form.Item>
        <Form.Item
          name="key"
          label={t(`${RESOURCE}.fields.key`)}
          extra={t('anime.keyHelp')}
          rules={[
            { required: true, message: t('anime.required') },
            { pattern: KEY_PATTERN, message: t('anime.keyInvalid') },
          ]}
        >
          <Input disabled={editing} style={{ width: 240 }} />
        </Form.Item>
        <Form.Item
          name="name"
          label={t(`${RESOURCE}.fields.name`)}
          rules={[{ required: true, message: t('anime.required') }]}
        >
          <Input maxLength={128} style={{ width: 260 }} />
        </Form.Item>
        <Form.Item name="sort_order" label={t(`${RESOURCE}.fields.sortOrder`)}>
          <InputNumber min={0} max={100_000} precision={0} />
        </Form.Item>
        <Form.Item name="is_active" label={t(`${RESOURCE}.fields.isActive`)} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Space>
      <Form.Item
        name="prompt"
        label={t(`${RESOURCE}.fields.prompt`)}
        extra={t(`${RESOURCE}.promptHelp`)}
        rules={[{ required: true, message: t('anime.required') }]}
      >
        <Input.TextArea rows={3} maxLength={2000} />
      </Form.Item>
    </Form>
  );
}

export function AnimePresetCreate() {
  const { formProps, saveButtonProps } = useForm<AnimePreset, HttpError>({
    resource: RESOURCE,
    action: 'create',
    redirect: 'list',
  });
  return (
    <Create saveButtonProps={saveButtonProps}>
      <PresetForm formProps={formProps} editing={false} />
    </Create>
  );
}

export function AnimePresetEdit() {
  const { formProps, saveButtonProps, query, formLoading } = useForm<AnimePreset, HttpError>({
    resource: RESOURCE,
    action: 'edit',
    redirect: 'list',
  });
  const record = query?.data?.data;
  return (
    <Edit saveButtonProps={saveButtonProps} isLoading={formLoading && !record}>
      {record && <PresetForm formProps={formProps} editing />}
    </Edit>
  );
}
