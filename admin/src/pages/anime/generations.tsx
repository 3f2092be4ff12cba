import { Button, Descriptions, Form, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { List, RefreshButton, getDefaultFilter, useTable } from '@refinedev/antd';
import { useLink, useTranslate, type HttpError } from '@refinedev/core';
import { DateTime } from '../../components/date-time';
import { MediaPreview, MediaThumbs } from '../../components/media/media-thumbs';
import { ResponsiveTable, shownFrom } from '../../components/responsive-table';
import type { AnimeGeneration } from '../../providers/anime-data-provider';

const RESOURCE = 'anime_generations';
const STATUSES = ['pending', 'processing', 'completed', 'failed'] as const;
const STATUS_COLORS: Record<AnimeGeneration['status'], string> = {
  pending: 'default',
  processing: 'processing',
  completed: 'success',
  failed: 'error',
};

interface Filters {
  kind?: 'image' | 'video';
  status?: AnimeGeneration['status'];
  user_id?: string;
}

const mediaKind = (generation: AnimeGeneration): 'image' | 'video' =>
  generation.gen_type === 'video' || generation.images.some((media) => media.mime.startsWith('video/'))
    ? 'video'
    : 'image';

export function AnimeStatusTag({ status }: { status: AnimeGeneration['status'] }) {
  const t = useTranslate();
  return <Tag color={STATUS_COLORS[status]}>{t(`${RESOURCE}.status.${status}`, status)}</Tag>;
}

/** Every member's anime images and videos, newest first: previews, status, cost, owner. */
export function AnimeGenerationList() {
  const t = useTranslate();
  const Link = useLink();
  const { tableProps, searchFormProps, filters, tableQuery } = useTable<AnimeGeneration, HttpError, Filters>({
    resource: RESOURCE,
    syncWithLocation: true,
    pagination: { pageSize: 20 },
    // Unfinished work moves on its own; finished lists stay still.
    queryOptions: {
      refetchInterval: (query) =>
        query.state.data?.data.some((row) => row.status === 'pending' || row.status === 'processing')
          ? 5000
          : false,
    },
    onSearch: (values) => [
      { field: 'kind', operator: 'eq', value: values.kind },
      { field: 'status', operator: 'eq', value: values.status },
      { field: 'user_id', operator: 'eq', value: values.user_id?.trim() || undefined },
    ],
  });
  return (
    <List headerButtons={<RefreshButton onClick={() => void tableQuery.refetch()} />}>
      <Form
        {...searchFormProps}
        layout="inline"
        style={{ marginBottom: 16, rowGap: 8 }}
        initialValues={{
          kind: getDefaultFilter('kind', filters),
          status: getDefaultFilter('status', filters),
          user_id: getDefaultFilter('user_id', filters),
        }}
      >
        <Form.Item name="kind" label={t(`${RESOURCE}.fields.kind`)}>
          <Select
            allowClear
            style={{ width: 130 }}
            placeholder={t(`${RESOURCE}.filters.all`)}
            options={(['image', 'video'] as const).map((kind) => ({
              value: kind,
              label: t(`${RESOURCE}.kinds.${kind}`),
            }))}
          />
        </Form.Item>
        <Form.Item name="status" label={t(`${RESOURCE}.fields.status`)}>
          <Select
            allowClear
            style={{ width: 140 }}
            placeholder={t(`${RESOURCE}.filters.all`)}
            options={STATUSES.map((status) => ({ value: status, label: t(`${RESOURCE}.status.${status}`) }))}
          />
        </Form.Item>
        <Form.Item name="user_id" label={t(`${RESOURCE}.fields.user`)}>
          <Input
            allowClear
            style={{ width: 300, maxWidth: '100%' }}
            placeholder={t(`${RESOURCE}.filters.userId`)}
          />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit">
            {t('buttons.filter')}
          </Button>
        </Form.Item>
      </Form>
      <ResponsiveTable
        {...tableProps}
        rowKey="id"
        expandable={{
          expandedRowRender: (generation: AnimeGeneration) => (
            <Space direction="vertical" style={{ width: '100%' }}>
              <MediaPreview
                kind={mediaKind(generation)}
                urls={generation.images.map((media) => media.image_url)}
                thumbs={generation.images.map((media) => media.thumbnail_url ?? '')}
              />
              <Descriptions size="small" column={{ xs: 1, md: 2 }} bordered>
                <Descriptions.Item label={t(`${RESOURCE}.fields.id`)}>
                  <Typography.Text copyable>{generation.generation_uuid}</Typography.Text>
                </Descriptions.Item>
                <Descriptions.Item label={t(`${RESOURCE}.fields.visibility`)}>
                  {generation.visibility_level}
                </Descriptions.Item>
                <Descriptions.Item label={t(`${RESOURCE}.fields.prompt`)} span={2}>
                  <Typography.Paragraph copyable style={{ margin: 0 }}>
                    {generation.prompt}
                  </Typography.Paragraph>
                </Descriptions.Item>
                {generation.error_message && (
                  <Descriptions.Item label={t(`${RESOURCE}.fields.error`)} span={2}>
                    <Space direction="vertical" size={0}>
                      <Typography.Text type="danger">
                        {generation.error_code ? `${generation.error_code}: ` : ''}
                        {generation.error_message}
                      </Typography.Text>
                      {generation.error_detail && (
                        <Typography.Text type="secondary" data-testid="error-detail">
                          {generation.error_detail}
                        </Typography.Text>
                      )}
                    </Space>
                  </Descriptions.Item>
                )}
                <Descriptions.Item label={t(`${RESOURCE}.fields.params`)} span={2}>
                  <Typography.Text code style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
                    {JSON.stringify(generation.params)}
                  </Typography.Text>
                </Descriptions.Item>
              </Descriptions>
            </Space>
          ),
        }}
      >
        <Table.Column<AnimeGeneration>
          key="media"
          title={t(`${RESOURCE}.fields.media`)}
          render={(_, generation) => (
            <MediaThumbs
              kind={mediaKind(generation)}
              urls={generation.images.map((media) => media.image_url)}
              thumbs={generation.images.map((media) => media.thumbnail_url ?? '')}
              max={2}
            />
          )}
        />
        <Table.Column<AnimeGeneration>
          dataIndex="gen_type"
          responsive={shownFrom('md')}
          title={t(`${RESOURCE}.fields.kind`)}
          render={(type: string) => <Tag>{t(`${RESOURCE}.genTypes.${type}`, type)}</Tag>}
        />
        <Table.Column<AnimeGeneration>
          dataIndex="prompt"
          responsive={shownFrom('lg')}
          title={t(`${RESOURCE}.fields.prompt`)}
          render={(prompt: string) => (
            <Typography.Paragraph
              ellipsis={{ rows: 2, tooltip: prompt }}
              style={{ margin: 0, maxWidth: 360 }}
            >
              {prompt}
            </Typography.Paragraph>
          )}
        />
        <Table.Column<AnimeGeneration>
          key="model"
          responsive={shownFrom('xl')}
          title={t(`${RESOURCE}.fields.model`)}
          render={(_, generation) => (
            <Space direction="vertical" size={0}>
              <Typography.Text>{generation.model}</Typography.Text>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {[generation.aspect_ratio, generation.image_resolution, `×${generation.batch_size}`]
                  .filter(Boolean)
                  .join(' · ')}
              </Typography.Text>
            </Space>
          )}
        />
        <Table.Column<AnimeGeneration>
          dataIndex="status"
          title={t(`${RESOURCE}.fields.status`)}
          render={(status: AnimeGeneration['status'], generation) => (
            <Space direction="vertical" size={0}>
              <AnimeStatusTag status={status} />
              {generation.error_message && (
                <Typography.Text
                  type="danger"
                  style={{ fontSize: 12 }}
                  ellipsis={{ tooltip: generation.error_detail ?? generation.error_message }}
                >
                  {generation.error_message}
                </Typography.Text>
              )}
            </Space>
          )}
        />
        <Table.Column<AnimeGeneration>
          dataIndex="credits_used"
          responsive={shownFrom('md')}
          align="right"
          title={t(`${RESOURCE}.fields.credits`)}
          render={(credits: number) => `${credits} MC`}
        />
        <Table.Column<AnimeGeneration>
          dataIndex="user_id"
          responsive={shownFrom('lg')}
          title={t(`${RESOURCE}.fields.user`)}
          render={(userId: string) => (
            <Link to={`/anime-users/show/${userId}`}>
              <Typography.Text code>{userId.slice(0, 8)}</Typography.Text>
            </Link>
          )}
        />
        <Table.Column<AnimeGeneration>
          dataIndex="created_at"
          responsive={shownFrom('lg')}
          title={t(`${RESOURCE}.fields.createdAt`)}
          render={(value: string) => <DateTime value={value} />}
        />
      </ResponsiveTable>
    </List>
  );
}
