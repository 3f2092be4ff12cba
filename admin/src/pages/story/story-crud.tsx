import {
  Button,
  Form,
  Image,
  Input,
  InputNumber,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
  Upload,
} from 'antd';
import { Create, DeleteButton, Edit, EditButton, List, useForm, useTable } from '@refinedev/antd';
import {
  useInvalidate,
  useNotification,
  useTranslate,
  type BaseRecord,
  type HttpError,
} from '@refinedev/core';
import { DateTime } from '../../components/date-time';
import { ResponsiveTable, shownFrom } from '../../components/responsive-table';
import { AudioUrlInput } from '../../components/story/audio-url-input';
import { CatalogSelect } from '../../components/story/catalog-select';
import { ImageUrlInput } from '../../components/story/image-url-input';
import { checkMediaLoads, isHttpUrl, type MediaKind } from '../../components/story/media-check';
import { IMAGE_FALLBACK } from '../../components/story/media-fallback';
import { uploadFile } from '../../providers/api-client';
import type { EnumLabels, StoryColumn, StoryField, StoryResourceConfig } from './story-config';

type Translate = ReturnType<typeof useTranslate>;

/** An enum value's label in the current language; free-form values (music types…) show as they are. */
function enumLabel(labels: EnumLabels | undefined, value: unknown, t: Translate) {
  const raw = String(value);
  return labels ? t(`story.enums.${labels}.${raw}`, raw) : raw;
}

function renderCell(column: StoryColumn, value: unknown, t: Translate) {
  if (value === null || value === undefined || value === '')
    return <Typography.Text type="secondary">—</Typography.Text>;
  switch (column.kind) {
    case 'image':
      return (
        <Image
          src={String(value)}
          fallback={IMAGE_FALLBACK}
          width={48}
          height={48}
          style={{ objectFit: 'cover', borderRadius: 6 }}
        />
      );
    case 'audio':
      // The music player: staff listen before attaching a track to a story.
      return <audio controls preload="none" src={String(value)} style={{ height: 32, maxWidth: 260 }} />;
    case 'date':
      return <DateTime value={value} />;
    case 'bool':
      return value ? <Tag color="green">{t('story.yes')}</Tag> : <Tag>{t('story.no')}</Tag>;
    case 'tag':
      return <Tag>{enumLabel(column.labels, value, t)}</Tag>;
    case 'long':
      return (
        <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ marginBottom: 0, maxWidth: 420 }}>
          {String(value)}
        </Typography.Paragraph>
      );
    default:
      return String(value);
  }
}

/**
 * Where a catalog column shows (below that it moves into the row's detail): the first two plain
 * columns always; pictures from sm, players and long texts from md, dates from lg, the rest from md.
 */
function catalogColumnFrom(column: StoryColumn, columns: StoryColumn[]) {
  if (column.from) return shownFrom(column.from);
  const kind = column.kind ?? 'text';
  const plain = columns.filter((c) => !['image', 'audio', 'long', 'date'].includes(c.kind ?? 'text'));
  if (plain.indexOf(column) >= 0 && plain.indexOf(column) < 2) return undefined;
  if (kind === 'image') return shownFrom('sm');
  if (kind === 'date') return shownFrom('lg');
  return shownFrom('md');
}

/**
 * Notices name one record in the current language ("Art style saved", "画风已保存"), never Refine's
 * default built from the menu name ("Successfully edited Art styles").
 */
function notices(config: StoryResourceConfig, t: Translate) {
  const name = t(`${config.name}.singular`);
  return {
    created: { type: 'success' as const, message: t('story.notices.created', { name }) },
    saved: { type: 'success' as const, message: t('story.notices.saved', { name }) },
    deleted: { type: 'success' as const, message: t('story.notices.deleted', { name }) },
    saveFailed: (error?: unknown) => ({
      type: 'error' as const,
      message: t('story.notices.saveFailed', { name }),
      description: (error as HttpError | undefined)?.message,
    }),
    deleteFailed: (error?: unknown) => ({
      type: 'error' as const,
      message: t('story.notices.deleteFailed', { name }),
      description: (error as HttpError | undefined)?.message,
    }),
  };
}

/** One list page for every story catalog, driven by its config. */
export function StoryResourceList({ config }: { config: StoryResourceConfig }) {
  const t = useTranslate();
  const { tableProps } = useTable<BaseRecord, HttpError>({
    resource: config.name,
    syncWithLocation: true,
    pagination: { pageSize: 20 },
  });
  const canEdit = config.fields && config.canEdit !== false;
  const notice = notices(config, t);
  return (
    <List
      resource={config.name}
      canCreate={!!config.fields}
      headerButtons={({ defaultButtons }) => (
        <>
          {config.importPath && <ImportButton config={config} path={config.importPath} />}
          {defaultButtons}
        </>
      )}
    >
      <ResponsiveTable {...tableProps} rowKey="id">
        {config.columns.map((column) => (
          <Table.Column
            key={column.key}
            dataIndex={column.key}
            responsive={catalogColumnFrom(column, config.columns)}
            title={t(`${config.name}.fields.${column.key}`, column.key)}
            render={(value: unknown) => renderCell(column, value, t)}
          />
        ))}
        <Table.Column<BaseRecord>
          key="actions"
          title={t('table.actions', 'Actions')}
          render={(_, record) => (
            <Space>
              {canEdit && (
                <EditButton hideText size="small" resource={config.name} recordItemId={record.id} />
              )}
              {config.canDelete !== false && (
                <DeleteButton
                  hideText
                  size="small"
                  resource={config.name}
                  recordItemId={record.id}
                  successNotification={notice.deleted}
                  errorNotification={notice.deleteFailed}
                />
              )}
            </Space>
          )}
        />
      </ResponsiveTable>
    </List>
  );
}

/** Uploads one file to the resource's import endpoint (a character card), then refreshes the list. */
function ImportButton({ config, path }: { config: StoryResourceConfig; path: string }) {
  const t = useTranslate();
  const invalidate = useInvalidate();
  const { open } = useNotification();
  return (
    <Upload
      accept=".png,.json,image/png,application/json"
      showUploadList={false}
      customRequest={({ file, onSuccess, onError }) => {
        const blob = file as File;
        uploadFile<{ name?: string }>(path, blob, blob.name)
          .then((created) => {
            onSuccess?.(created);
            open?.({ type: 'success', message: t('story.imported', { name: created.name ?? '' }) });
            void invalidate({ resource: config.name, invalidates: ['list'] });
          })
          .catch((error: HttpError) => {
            onError?.(new Error(error.message));
            open?.({ type: 'error', message: error.message });
          });
      }}
    >
      <Button>{t('story.importCard')}</Button>
    </Upload>
  );
}

/** Form.Item injects `value`/`checked` and `onChange` into its child; they are passed on to the control. */
function FieldInput({ field, ...control }: { field: StoryField } & Record<string, unknown>) {
  const t = useTranslate();
  switch (field.kind) {
    case 'textarea':
      return <Input.TextArea {...control} autoSize={{ minRows: 3, maxRows: 16 }} />;
    case 'json':
      return (
        <Input.TextArea
          {...control}
          autoSize={{ minRows: 4, maxRows: 20 }}
          style={{ fontFamily: 'monospace' }}
        />
      );
    case 'number':
      return (
        <InputNumber
          {...control}
          min={field.min}
          max={field.max}
          step={field.step ?? 1}
          style={{ width: 200 }}
        />
      );
    case 'switch':
      return <Switch {...control} />;
    case 'password':
      return <Input.Password {...control} autoComplete="new-password" />;
    case 'image':
      return <ImageUrlInput {...control} />;
    case 'audio':
      return <AudioUrlInput {...control} />;
    case 'catalog':
      return field.catalog ? (
        <CatalogSelect {...control} resource={field.catalog.resource} field={field.catalog.field} />
      ) : null;
    case 'select':
      return (
        <Select
          {...control}
          options={(field.options ?? []).map((value) => ({
            value,
            label: enumLabel(field.labels, value, t),
          }))}
        />
      );
    default:
      return <Input {...control} />;
  }
}

/**
 * A media field's rule: an http(s) URL that this browser loads as that media (see checkMediaLoads
 * for why the check runs here), with a message saying which of the two failed.
 */
function mediaRule(kind: MediaKind, t: Translate) {
  return {
    validator: async (_: unknown, value: unknown) => {
      if (value === undefined || value === null || value === '') return;
      if (!isHttpUrl(value)) throw new Error(t('story.media.notUrl'));
      await checkMediaLoads(value, kind).catch(() => {
        throw new Error(t(`story.media.${kind}Broken`));
      });
    },
  };
}

function StoryFormItems({ config, mode }: { config: StoryResourceConfig; mode: 'create' | 'edit' }) {
  const t = useTranslate();
  return (
    <>
      {(config.fields ?? [])
        .filter((field) => mode === 'create' || !field.createOnly)
        .map((field) => (
          <Form.Item
            key={field.key}
            name={field.key}
            label={t(`${config.name}.fields.${field.key}`, field.key)}
            valuePropName={field.kind === 'switch' ? 'checked' : 'value'}
            // Media URLs are loaded to be checked: wait until the typing stops.
            validateDebounce={field.kind === 'image' || field.kind === 'audio' ? 500 : undefined}
            hasFeedback={field.kind === 'image' || field.kind === 'audio'}
            rules={[
              ...(field.kind === 'image' || field.kind === 'audio' ? [mediaRule(field.kind, t)] : []),
              ...(field.required ? [{ required: true, message: t('story.required') }] : []),
              ...(field.kind === 'json'
                ? [
                    {
                      validator: async (_: unknown, value: unknown) => {
                        if (typeof value === 'string' && value.trim()) JSON.parse(value);
                      },
                      message: t('story.invalidJson'),
                    },
                  ]
                : []),
            ]}
            getValueProps={
              field.kind === 'json'
                ? (value: unknown) => ({
                    value:
                      typeof value === 'string' || value === undefined
                        ? value
                        : JSON.stringify(value, null, 2),
                  })
                : undefined
            }
          >
            <FieldInput field={field} />
          </Form.Item>
        ))}
    </>
  );
}

/** JSON fields travel as objects; empty optional text fields are left out. */
function toPayload(config: StoryResourceConfig, values: Record<string, unknown>) {
  const out: Record<string, unknown> = {};
  for (const field of config.fields ?? []) {
    const value = values[field.key];
    if (value === undefined || value === '') continue;
    out[field.key] = field.kind === 'json' && typeof value === 'string' ? JSON.parse(value) : value;
  }
  return out;
}

export function StoryResourceCreate({ config }: { config: StoryResourceConfig }) {
  const t = useTranslate();
  const notice = notices(config, t);
  const { formProps, saveButtonProps } = useForm({
    resource: config.name,
    action: 'create',
    redirect: 'list',
    successNotification: () => notice.created,
    errorNotification: (error) => notice.saveFailed(error),
  });
  return (
    <Create resource={config.name} saveButtonProps={saveButtonProps}>
      <Form
        {...formProps}
        layout="vertical"
        onFinish={(values) => formProps.onFinish?.(toPayload(config, values as Record<string, unknown>))}
      >
        <StoryFormItems config={config} mode="create" />
      </Form>
    </Create>
  );
}

export function StoryResourceEdit({ config }: { config: StoryResourceConfig }) {
  const t = useTranslate();
  const notice = notices(config, t);
  const { formProps, saveButtonProps } = useForm({
    resource: config.name,
    action: 'edit',
    redirect: 'list',
    successNotification: () => notice.saved,
    errorNotification: (error) => notice.saveFailed(error),
  });
  return (
    <Edit
      resource={config.name}
      saveButtonProps={saveButtonProps}
      deleteButtonProps={{ successNotification: notice.deleted, errorNotification: notice.deleteFailed }}
    >
      <Form
        {...formProps}
        layout="vertical"
        onFinish={(values) => formProps.onFinish?.(toPayload(config, values as Record<string, unknown>))}
      >
        <StoryFormItems config={config} mode="edit" />
      </Form>
    </Edit>
  );
}
