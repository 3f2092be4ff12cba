import {
  Button,
  Card,
  Form,
  Input,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
  type FormProps,
} from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Create, Edit, EditButton, List, useForm, useTable } from '@refinedev/antd';
import { useTranslate, type HttpError } from '@refinedev/core';
import { ResponsiveTable, shownFrom } from '../../components/responsive-table';
import type { AnimeTemplate, TemplateVariable } from '../../providers/anime-data-provider';

const RESOURCE = 'anime_templates';
const KEY_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const VARIABLE_PATTERN = /^[A-Za-z0-9_]{1,64}$/;
const VARIABLE_TYPES = ['string', 'number', 'boolean', 'enum'] as const;

/** Prompt templates of build-extract-prompt: key, variables, whether the LLM instructions are custom. */
export function AnimeTemplateList() {
  const t = useTranslate();
  const { tableProps } = useTable<AnimeTemplate, HttpError>({
    resource: RESOURCE,
    syncWithLocation: true,
    pagination: { pageSize: 20 },
  });
  return (
    <List>
      <ResponsiveTable {...tableProps} rowKey="id">
        <Table.Column<AnimeTemplate>
          dataIndex="template_key"
          title={t(`${RESOURCE}.fields.key`)}
          render={(key: string) => <Typography.Text code>{key}</Typography.Text>}
        />
        <Table.Column<AnimeTemplate>
          dataIndex="name"
          responsive={shownFrom('sm')}
          title={t(`${RESOURCE}.fields.name`)}
        />
        <Table.Column<AnimeTemplate>
          dataIndex="template"
          responsive={shownFrom('lg')}
          title={t(`${RESOURCE}.fields.template`)}
          render={(template: string) => (
            <Typography.Paragraph
              ellipsis={{ rows: 2, tooltip: template }}
              style={{ margin: 0, maxWidth: 420 }}
            >
              {template}
            </Typography.Paragraph>
          )}
        />
        <Table.Column<AnimeTemplate>
          dataIndex="variables"
          responsive={shownFrom('xl')}
          title={t(`${RESOURCE}.fields.variables`)}
          render={(variables: TemplateVariable[]) => (
            <Space size={4} wrap>
              {variables.map((variable) => (
                <Tag key={variable.name} color={variable.required ? 'blue' : undefined}>
                  {variable.name}
                  {variable.required ? '*' : ''}: {t(`${RESOURCE}.types.${variable.type}`)}
                </Tag>
              ))}
            </Space>
          )}
        />
        <Table.Column<AnimeTemplate>
          dataIndex="is_active"
          responsive={shownFrom('md')}
          title={t(`${RESOURCE}.fields.isActive`)}
          render={(active: boolean) => (
            <Tag color={active ? 'success' : 'default'}>{t(active ? 'anime.active' : 'anime.inactive')}</Tag>
          )}
        />
        <Table.Column<AnimeTemplate>
          key="actions"
          title={t('table.actions')}
          render={(_, template) => <EditButton hideText size="small" recordItemId={template.id} />}
        />
      </ResponsiveTable>
    </List>
  );
}

function TemplateForm({ formProps, editing }: { formProps: FormProps; editing: boolean }) {
  const t = useTranslate();
  return (
    <Form
      {...formProps}
      layout="vertical"
      initialValues={{ is_active: true, variables: [], ...formProps.initialValues }}
    >
      <Space wrap align="start" size="large">
        <Form.Item
          name="template_key"
          label={t(`${RESOURCE}.fields.key`)}
          extra={t('anime.keyHelp')}
          rules={[
            { required: true, message: t('anime.required') },
            { pattern: KEY_PATTERN, message: t('anime.keyInvalid') },
          ]}
        >
          <Input disabled={editing} style={{ width: 260 }} />
        </Form.Item>
        <Form.Item
          name="name"
          label={t(`${RESOURCE}.fields.name`)}
          rules={[{ required: true, message: t('anime.required') }]}
        >
          <Input maxLength={128} style={{ width: 320 }} />
        </Form.Item>
        <Form.Item name="is_active" label={t(`${RESOURCE}.fields.isActive`)} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Space>
      <Form.Item
        name="template"
        label={t(`${RESOURCE}.fields.template`)}
        extra={t(`${RESOURCE}.templateHelp`, { open: '{{', close: '}}' })}
        rules={[{ required: true, message: t('anime.required') }]}
      >
        <Input.TextArea rows={4} maxLength={8000} />
      </Form.Item>
      <Form.Item label={t(`${RESOURCE}.fields.variables`)}>
        <Form.List name="variables">
          {(fields, { add, remove }) => (
            <Space direction="vertical" style={{ width: '100%' }}>
              {fields.map((field) => (
                <Card key={field.key} size="small">
                  <Space wrap align="start">
                    <Form.Item
                      name={[field.name, 'name']}
                      label={t(`${RESOURCE}.variable.name`)}
                      rules={[
                        { required: true, message: t('anime.required') },
                        { pattern: VARIABLE_PATTERN, message: t(`${RESOURCE}.variable.nameInvalid`) },
                      ]}
                    >
                      <Input style={{ width: 180 }} />
                    </Form.Item>
                    <Form.Item
                      name={[field.name, 'type']}
                      label={t(`${RESOURCE}.variable.type`)}
                      initialValue="string"
                    >
                      <Select
                        style={{ width: 130 }}
                        options={VARIABLE_TYPES.map((type) => ({
                          value: type,
                          label: t(`${RESOURCE}.types.${type}`),
                        }))}
                      />
                    </Form.Item>
                    <Form.Item
                      name={[field.name, 'required']}
                      label={t(`${RESOURCE}.variable.required`)}
                      valuePropName="checked"
                      initialValue={false}
                    >
                      <Switch />
                    </Form.Item>
                    <Form.Item noStyle shouldUpdate>
                      {({ getFieldValue }) =>
                        getFieldValue(['variables', field.name, 'type']) === 'enum' ? (
                          <Form.Item
                            name={[field.name, 'options']}
                            label={t(`${RESOURCE}.variable.options`)}
                            rules={[{ required: true, message: t(`${RESOURCE}.variable.optionsRequired`) }]}
                          >
                            <Select mode="tags" style={{ width: 240 }} tokenSeparators={[',']} />
                          </Form.Item>
                        ) : null
                      }
                    </Form.Item>
                    <Form.Item
                      name={[field.name, 'description']}
                      label={t(`${RESOURCE}.variable.description`)}
                    >
                      <Input maxLength={500} style={{ width: 260 }} />
                    </Form.Item>
                    <Button
                      danger
                      type="text"
                      icon={<DeleteOutlined />}
                      aria-label={t(`${RESOURCE}.variable.remove`)}
                      style={{ marginTop: 30 }}
                      onClick={() => remove(field.name)}
                    />
                  </Space>
                </Card>
              ))}
              <Button icon={<PlusOutlined />} onClick={() => add({ type: 'string', required: false })}>
                {t(`${RESOURCE}.variable.add`)}
              </Button>
            </Space>
          )}
        </Form.List>
      </Form.Item>
      <Form.Item
        name="llm_instructions"
        label={t(`${RESOURCE}.fields.llmInstructions`)}
        extra={t(`${RESOURCE}.llmInstructionsHelp`)}
      >
        <Input.TextArea rows={3} maxLength={4000} />
      </Form.Item>
    </Form>
  );
}

export function AnimeTemplateCreate() {
  const { formProps, saveButtonProps } = useForm<AnimeTemplate, HttpError>({
    resource: RESOURCE,
    action: 'create',
    redirect: 'list',
  });
  return (
    <Create saveButtonProps={saveButtonProps}>
      <TemplateForm formProps={formProps} editing={false} />
    </Create>
  );
}

export function AnimeTemplateEdit() {
  const { formProps, saveButtonProps, query, formLoading } = useForm<AnimeTemplate, HttpError>({
    resource: RESOURCE,
    action: 'edit',
    redirect: 'list',
  });
  const record = query?.data?.data;
  return (
    <Edit saveButtonProps={saveButtonProps} isLoading={formLoading && !record}>
      {record && <TemplateForm formProps={formProps} editing />}
    </Edit>
  );
}
