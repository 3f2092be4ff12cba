import { Alert, Card, Space, Table, Tag, Typography } from 'antd';
import { List } from '@refinedev/antd';
import { useCustom, useTranslate } from '@refinedev/core';
import {
  ANIME_PATHS,
  type AnimeModels,
  type ImageModel,
  type VideoModel,
} from '../../providers/anime-data-provider';

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
function PriceRule({ price }: { price: VideoModel['price'] }) {
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

/** Read-only: the models are configuration (JIMENG_DEFAULT_MODEL, ANIME_GEMINI_MODELS, ANIME_VIDEO_MODELS). */
export function AnimeModelList() {
  const t = useTranslate();
  const { query } = useCustom<AnimeModels>({
    url: ANIME_PATHS.models,
    method: 'get',
    dataProviderName: 'anime',
  });
  const models = query.data?.data;
  return (
    <List>
      <Space direction="vertical" size="large" style={{ width: '100%' }}>
        <Alert type="info" showIcon message={t(`${RESOURCE}.configNote`)} />
        <Card title={t(`${RESOURCE}.imageTitle`)} size="small">
          <Table<ImageModel>
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
            <Table.Column<ImageModel> dataIndex="provider" title={t(`${RESOURCE}.fields.provider`)} />
            <Table.Column<ImageModel>
              dataIndex="credits_per_image"
              title={t(`${RESOURCE}.fields.price`)}
              render={(credits: number) => (
                <Typography.Text strong>{t(`${RESOURCE}.perImage`, { credits })}</Typography.Text>
              )}
            />
            <Table.Column<ImageModel>
              dataIndex="aspect_ratios"
              title={t(`${RESOURCE}.fields.ratios`)}
              render={(values: string[]) => tags(values)}
            />
            <Table.Column<ImageModel>
              dataIndex="resolutions"
              title={t(`${RESOURCE}.fields.resolutions`)}
              render={(values: string[]) => tags(values)}
            />
            <Table.Column<ImageModel> dataIndex="max_batch_size" title={t(`${RESOURCE}.fields.maxBatch`)} />
            <Table.Column<ImageModel>
              dataIndex="max_reference_images"
              title={t(`${RESOURCE}.fields.maxReferences`)}
            />
          </Table>
        </Card>
        <Card title={t(`${RESOURCE}.videoTitle`)} size="small">
          <Table<VideoModel>
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
              render={(_, model) => <PriceRule price={model.price} />}
            />
            <Table.Column<VideoModel>
              dataIndex="aspect_ratios"
              title={t(`${RESOURCE}.fields.ratios`)}
              render={(values: string[]) => tags(values)}
            />
            <Table.Column<VideoModel>
              dataIndex="durations"
              title={t(`${RESOURCE}.fields.durations`)}
              render={(values: number[]) => tags(values, ' s')}
            />
            <Table.Column<VideoModel>
              key="variants"
              title={t(`${RESOURCE}.fields.variants`)}
              render={(_, model) => tags([...model.resolutions, ...model.modes])}
            />
            <Table.Column<VideoModel>
              key="references"
              title={t(`${RESOURCE}.fields.maxReferences`)}
              render={(_, model) => (
                <Space size={4}>
                  {model.max_reference_images}
                  {model.multi_shots && <Tag color="purple">{t(`${RESOURCE}.multiShots`)}</Tag>}
                </Space>
              )}
            />
          </Table>
        </Card>
      </Space>
    </List>
  );
}
