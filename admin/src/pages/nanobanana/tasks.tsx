import { useState } from 'react';
import {
  App,
  Button,
  Card,
  Checkbox,
  Empty,
  Image,
  Input,
  Popconfirm,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { DeleteOutlined, DownloadOutlined, ExportOutlined } from '@ant-design/icons';
import { DeleteButton, List, Show, ShowButton, useTable } from '@refinedev/antd';
import { useDeleteMany, useInvalidate, useShow, useTranslate, type HttpError } from '@refinedev/core';
import { DateTime } from '../../components/date-time';
import { ResponsiveTable, shownFrom } from '../../components/responsive-table';
import {
  deleteNanobananaImage,
  exportNanobananaImages,
  mediaUrl,
  type NanobananaImage,
  type NanobananaTask,
} from '../../providers/nanobanana-data-provider';

const RESOURCE = 'nanobanana_tasks';
const STATUS_COLORS: Record<NanobananaTask['status'], string> = {
  processing: 'processing',
  completed: 'success',
  failed: 'error',
  partial: 'warning',
};

function StatusTag({ status }: { status: NanobananaTask['status'] }) {
  const t = useTranslate();
  return <Tag color={STATUS_COLORS[status]}>{t(`${RESOURCE}.status.${status}`, status)}</Tag>;
}

const errorMessage = (error: unknown) => (error as HttpError | undefined)?.message ?? String(error);

/** History with search, thumbnails with preview, multi-select ZIP export and delete. */
export function NanobananaTaskList() {
  const t = useTranslate();
  const { message } = App.useApp();
  const [selected, setSelected] = useState<NanobananaTask[]>([]);
  const [exporting, setExporting] = useState(false);
  const { mutateAsync: deleteMany } = useDeleteMany();
  const { tableProps, searchFormProps } = useTable<NanobananaTask, HttpError, { keyword?: string }>({
    resource: RESOURCE,
    syncWithLocation: true,
    pagination: { pageSize: 10 },
    onSearch: (values) => [{ field: 'keyword', operator: 'eq', value: values.keyword?.trim() || undefined }],
  });
  const imageIds = selected.flatMap((task) => task.images.map((image) => image.id));

  const exportSelected = async () => {
    setExporting(true);
    try {
      await exportNanobananaImages(imageIds);
      message.success(t(`${RESOURCE}.messages.exported`));
    } catch (error) {
      message.error(errorMessage(error));
    } finally {
      setExporting(false);
    }
  };
  const deleteSelected = async () => {
    await deleteMany({ resource: RESOURCE, ids: selected.map((task) => task.id) });
    message.success(t(`${RESOURCE}.messages.tasksDeleted`, { count: selected.length }));
    setSelected([]);
  };

  return (
    <List
      headerButtons={
        <Space wrap>
          <Button
            icon={<ExportOutlined />}
            disabled={imageIds.length === 0}
            loading={exporting}
            onClick={exportSelected}
          >
            {t(`${RESOURCE}.actions.exportSelected`, { count: imageIds.length })}
          </Button>
          <Popconfirm
            title={t(`${RESOURCE}.messages.confirmDeleteTasks`)}
            onConfirm={deleteSelected}
            disabled={!selected.length}
          >
            <Button danger icon={<DeleteOutlined />} disabled={!selected.length}>
              {t(`${RESOURCE}.actions.deleteSelected`, { count: selected.length })}
            </Button>
          </Popconfirm>
        </Space>
      }
    >
      <Input.Search
        allowClear
        enterButton
        placeholder={t(`${RESOURCE}.searchPlaceholder`)}
        style={{ maxWidth: 420, width: '100%', marginBottom: 16 }}
        onSearch={(keyword) => searchFormProps.onFinish?.({ keyword })}
      />
      <ResponsiveTable
        {...tableProps}
        rowKey="id"
        rowSelection={{
          selectedRowKeys: selected.map((task) => task.id),
          onChange: (_keys, rows) => setSelected(rows),
        }}
      >
        <Table.Column<NanobananaTask>
          dataIndex="prompt"
          title={t(`${RESOURCE}.fields.prompt`)}
          render={(prompt: string) => (
            <Typography.Paragraph ellipsis={{ rows: 2, tooltip: prompt }} style={{ marginBottom: 0 }}>
              {prompt}
            </Typography.Paragraph>
          )}
        />
        <Table.Column<NanobananaTask>
          dataIndex="model"
          responsive={shownFrom('lg')}
          title={t(`${RESOURCE}.fields.model`)}
        />
        <Table.Column<NanobananaTask>
          dataIndex="status"
          title={t(`${RESOURCE}.fields.status`)}
          render={(status: NanobananaTask['status']) => <StatusTag status={status} />}
        />
        <Table.Column<NanobananaTask>
          key="progress"
          responsive={shownFrom('md')}
          title={t(`${RESOURCE}.fields.progress`)}
          render={(_, task) => `${task.completedCount}/${task.totalCount}`}
        />
        <Table.Column<NanobananaTask>
          key="images"
          responsive={shownFrom('sm')}
          title={t(`${RESOURCE}.fields.images`)}
          render={(_, task) => (
            <Image.PreviewGroup>
              <Space size={4}>
                {task.images.slice(0, 4).map((image) => (
                  <Image
                    key={image.id}
                    width={48}
                    height={48}
                    style={{ objectFit: 'cover' }}
                    src={mediaUrl(image.thumbnailPath || image.filePath)}
                    preview={{ src: mediaUrl(image.filePath) }}
                  />
                ))}
                {task.images.length > 4 && (
                  <Typography.Text type="secondary">+{task.images.length - 4}</Typography.Text>
                )}
              </Space>
            </Image.PreviewGroup>
          )}
        />
        <Table.Column<NanobananaTask>
          dataIndex="createdAt"
          responsive={shownFrom('lg')}
          title={t(`${RESOURCE}.fields.createdAt`)}
          render={(value: string) => <DateTime value={value} />}
        />
        <Table.Column<NanobananaTask>
          key="actions"
          responsive={shownFrom('sm')}
          title={t('table.actions')}
          render={(_, task) => (
            <Space size={4}>
              <ShowButton hideText size="small" recordItemId={task.id} />
              <DeleteButton hideText size="small" recordItemId={task.id} />
            </Space>
          )}
        />
      </ResponsiveTable>
    </List>
  );
}

/** One task: its images with preview, selection for ZIP export, and delete per image. */
export function NanobananaTaskShow() {
  const t = useTranslate();
  const { message } = App.useApp();
  const invalidate = useInvalidate();
  const { query } = useShow<NanobananaTask>({ resource: RESOURCE });
  const task = query.data?.data;
  const [selected, setSelected] = useState<string[]>([]);
  const [exporting, setExporting] = useState(false);
  const images: NanobananaImage[] = task?.images ?? [];

  const refresh = () => invalidate({ resource: RESOURCE, invalidates: ['detail', 'list'], id: task?.id });
  const removeImage = async (imageId: string) => {
    try {
      await deleteNanobananaImage(imageId);
      setSelected((ids) => ids.filter((id) => id !== imageId));
      message.success(t(`${RESOURCE}.messages.imageDeleted`));
      await refresh();
    } catch (error) {
      message.error(errorMessage(error));
    }
  };
  const exportSelected = async () => {
    setExporting(true);
    try {
      await exportNanobananaImages(selected);
      message.success(t(`${RESOURCE}.messages.exported`));
    } catch (error) {
      message.error(errorMessage(error));
    } finally {
      setExporting(false);
    }
  };

  return (
    <Show
      isLoading={query.isLoading}
      headerButtons={
        <Space wrap>
          <Checkbox
            checked={images.length > 0 && selected.length === images.length}
            indeterminate={selected.length > 0 && selected.length < images.length}
            onChange={(event) => setSelected(event.target.checked ? images.map((image) => image.id) : [])}
          >
            {t(`${RESOURCE}.actions.selectAll`)}
          </Checkbox>
          <Button
            icon={<ExportOutlined />}
            disabled={!selected.length}
            loading={exporting}
            onClick={exportSelected}
          >
            {t(`${RESOURCE}.actions.exportSelected`, { count: selected.length })}
          </Button>
        </Space>
      }
    >
      {task && (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Paragraph copyable>{task.prompt}</Typography.Paragraph>
          <Space wrap>
            <StatusTag status={task.status} />
            <Typography.Text>{task.model}</Typography.Text>
            <Typography.Text>
              {t(`${RESOURCE}.fields.progress`)}: {task.completedCount}/{task.totalCount}
            </Typography.Text>
            {task.options && <Typography.Text code>{task.options}</Typography.Text>}
          </Space>
          {task.errorMessage && <Typography.Text type="danger">{task.errorMessage}</Typography.Text>}
          {images.length === 0 ? (
            <Empty description={t(`${RESOURCE}.messages.noImages`)} />
          ) : (
            <Image.PreviewGroup>
              <Space wrap size={12} align="start">
                {images.map((image) => (
                  <Card
                    key={image.id}
                    size="small"
                    style={{ width: 200 }}
                    cover={
                      <Image
                        height={180}
                        style={{ objectFit: 'cover' }}
                        src={mediaUrl(image.thumbnailPath || image.filePath)}
                        preview={{ src: mediaUrl(image.filePath) }}
                      />
                    }
                    actions={[
                      <Checkbox
                        key="select"
                        checked={selected.includes(image.id)}
                        onChange={(event) =>
                          setSelected((ids) =>
                            event.target.checked ? [...ids, image.id] : ids.filter((id) => id !== image.id),
                          )
                        }
                      />,
                      <a
                        key="download"
                        href={mediaUrl(image.filePath)}
                        download={`${image.id}`}
                        title={t(`${RESOURCE}.actions.download`)}
                      >
                        <DownloadOutlined />
                      </a>,
                      <Popconfirm
                        key="delete"
                        title={t(`${RESOURCE}.messages.confirmDeleteImage`)}
                        onConfirm={() => removeImage(image.id)}
                      >
                        <DeleteOutlined title={t(`${RESOURCE}.actions.deleteImage`)} />
                      </Popconfirm>,
                    ]}
                  >
                    <Typography.Text type="secondary">
                      {image.width}×{image.height} · {Math.round(image.fileSize / 1024)} KB
                    </Typography.Text>
                  </Card>
                ))}
              </Space>
            </Image.PreviewGroup>
          )}
        </Space>
      )}
    </Show>
  );
}
