import { Alert, Card, Space, Table, Tag, Typography } from 'antd';
import { List } from '@refinedev/antd';
import { useCustom, useTranslate } from '@refinedev/core';
import {
  ANIME_PATHS,
  type AnimeModels,
  type ImageModel,
  type PriceRule,
  type VideoModel,
} from '../../providers/anime-data-provider';
import {
  PriceChangesTable,
  PriceEditor,
  PriceSourceNote,
  type PriceChange,
} from '../../components/anime/price-editor';
import { ResponsiveTable, shownFrom } from '../../components/responsive-table';

const RESOURCE = 'anime_models';

const tags = (values: readonly (string | number)[], suffix = '') =>
  values.length ? (
    <Space size={4} wrap>
      {values.map((value) => (
        <Tag key={String(value)}>
          {value}
          {suffix}
        </Tag>
      ))}
    </Space>
  ) : (
    '—'
  );

/** `<resolution|mode|*>:<duration|*>` → "720p · 5 s"; `*` reads "any". */
function VideoPrice({ price }: { price: PriceRule }) {
  const t = useTranslate();
  if (price.type === 'flat') return <Typography.Text strong>{price.credits} MC</Typography.Text>;
  const any = t(`${RESOURCE}.any`);
  return (
    <Space direction="vertical" size={0} data-testid="price-rule">
      {Object.entries(price.table).map(([key, credits]) => {
        const [variant = '*', seconds = '*'] = key.split(':');
        return (
          <Typography.Text key={key}>
            {variant === '*' ? any : variant} · {seconds === '*' ? any : `${seconds} s`}:{' '}
            <Typography.Text strong>{credits} MC</Typography.Text>
          </Typography.Text>
        );
      })}
    </Space>
  );
}

/** Per image by resolution ("2K: 4 MC per image"); a flat rule reads "5 MC per image". */
function ImagePrice({ price }: { price: PriceRule }) {
  const t = useTranslate();
  if (price.type === 'flat')
    return <Typography.Text strong>{t(`${RESOURCE}.perImage`, { credits: price.credits })}</Typography.Text>;
  return (
    <Space direction="vertical" size={0} data-testid="price-rule">
      {Object.entries(price.table).map(([key, credits]) => (
        <Typography.Text key={key}>
          {key === '*' ? t(`${RESOURCE}.any`) : key}:{' '}
          <Typography.Text strong>{t(`${RESOURCE}.perImage`, { credits })}</Typography.Text>
        </Typography.Text>
      ))}
    </Space>
  );
}

/**
 * The models are configuration (JIMENG_DEFAULT_MODEL, ANIME_GEMINI_MODELS, ANIME_VIDEO_MODELS);
 * their prices start from configuration and staff edit them here (stored and audited server-side).
 */
export function AnimeModelList() {
  const t = useTranslate();
  const { query } = useCustom<AnimeModels>({
    url: ANIME_PATHS.models,
    method: 'get',
    dataProviderName: 'anime',
  });
  const { query: changesQuery } = useCustom<PriceChange[]>({
    url: ANIME_PATHS.priceChanges,
    method: 'get',
    dataProviderName: 'anime',
    config: { query: { limit: 20 } },
  });
  const models = query.data?.data;
  const refresh = () => {
    void query.refetch();
    void changesQuery.refetch();
  };
  return (
    <List>
      <Space direction="vertical" size="large" style={{ width: '100%' }}>
        <Alert type="info" showIcon message={t(`${RESOURCE}.configNote`)} />
        <Card title={t(`${RESOURCE}.imageTitle`)} size="small">
          <ResponsiveTable
            dataSource={models?.image ?? []}
            loading={query.isLoading}
            rowKey="model_uuid"
            pagination={false}
            size="small"
          >
            <Table.Column<ImageModel>
              dataIndex="model_uuid"
              title={t(`${RESOURCE}.fields.model`)}
              render={(id: string, model) => (
                <Space>
                  <Typography.Text code>{id}</Typography.Text>
                  {model.is_default && <Tag color="blue">{t(`${RESOURCE}.default`)}</Tag>}
                </Space>
              )}
            />
            <Table.Column<ImageModel>
              dataIndex="provider"
              responsive={shownFrom('lg')}
              title={t(`${RESOURCE}.fields.provider`)}
            />
            <Table.Column<ImageModel>
              key="price"
              title={t(`${RESOURCE}.fields.price`)}
              render={(_, model) => (
                <Space direction="vertical" size={2}>
                  <ImagePrice price={model.price} />
                  <PriceSourceNote model={model} />
                </Space>
              )}
            />
            <Table.Column<ImageModel>
              dataIndex="aspect_ratios"
              responsive={shownFrom('xl')}
              title={t(`${RESOURCE}.fields.ratios`)}
              render={(values: string[]) => tags(values)}
            />
            <Table.Column<ImageModel>
              dataIndex="resolutions"
              responsive={shownFrom('xl')}
              title={t(`${RESOURCE}.fields.resolutions`)}
              render={(values: string[]) => tags(values)}
            />
            <Table.Column<ImageModel>
              dataIndex="max_batch_size"
              responsive={shownFrom('xl')}
              title={t(`${RESOURCE}.fields.maxBatch`)}
            />
            <Table.Column<ImageModel>
              dataIndex="max_reference_images"
              responsive={shownFrom('xl')}
              title={t(`${RESOURCE}.fields.maxReferences`)}
            />
            <Table.Column<ImageModel>
              key="edit"
              title={t('table.actions')}
              render={(_, model) => <PriceEditor target={{ kind: 'image', model }} onSaved={refresh} />}
            />
          </ResponsiveTable>
        </Card>
        <Card title={t(`${RESOURCE}.videoTitle`)} size="small">
          <ResponsiveTable
            dataSource={models?.video ?? []}
            loading={query.isLoading}
            rowKey="model_id"
            pagination={false}
            size="small"
          >
            <Table.Column<VideoModel>
              dataIndex="name"
              title={t(`${RESOURCE}.fields.model`)}
              render={(name: string, model) => (
                <Space direction="vertical" size={0}>
                  <Typography.Text strong>{name}</Typography.Text>
                  <Typography.Text code>{model.model_id}</Typography.Text>
                </Space>
              )}
            />
            <Table.Column<VideoModel>
              dataIndex="provider"
              responsive={shownFrom('lg')}
              title={t(`${RESOURCE}.fields.provider`)}
              render={(provider: string, model) => (
                <Space direction="vertical" size={0}>
                  <Typography.Text>{provider}</Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {model.upstream.text_to_video}
                  </Typography.Text>
                </Space>
              )}
            />
            <Table.Column<VideoModel>
              key="price"
              title={t(`${RESOURCE}.fields.price`)}
              render={(_, model) => (
                <Space direction="vertical" size={2}>
                  <VideoPrice price={model.price} />
                  <PriceSourceNote model={model} />
                </Space>
              )}
            />
            <Table.Column<VideoModel>
              dataIndex="aspect_ratios"
              responsive={shownFrom('xl')}
              title={t(`${RESOURCE}.fields.ratios`)}
              render={(values: string[]) => tags(values)}
            />
            <Table.Column<VideoModel>
              dataIndex="durations"
              responsive={shownFrom('xl')}
              title={t(`${RESOURCE}.fields.durations`)}
              render={(values: number[]) => tags(values, ' s')}
            />
            <Table.Column<VideoModel>
              key="variants"
              responsive={shownFrom('xl')}
              title={t(`${RESOURCE}.fields.variants`)}
              render={(_, model) => tags([...model.resolutions, ...model.modes])}
            />
            <Table.Column<VideoModel>
              key="references"
              responsive={shownFrom('xl')}
              title={t(`${RESOURCE}.fields.maxReferences`)}
              render={(_, model) => (
                <Space size={4}>
                  {model.max_reference_images}
                  {model.multi_shots && <Tag color="purple">{t(`${RESOURCE}.multiShots`)}</Tag>}
                </Space>
              )}
            />
            <Table.Column<VideoModel>
              key="edit"
              title={t('table.actions')}
              render={(_, model) => <PriceEditor target={{ kind: 'video', model }} onSaved={refresh} />}
            />
          </ResponsiveTable>
        </Card>
        <Card title={t(`${RESOURCE}.changes.title`)} size="small">
          <PriceChangesTable changes={changesQuery.data?.data ?? []} loading={changesQuery.isLoading} />
        </Card>
      </Space>
    </List>
  );
}
