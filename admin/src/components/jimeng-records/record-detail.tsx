import { Collapse, Descriptions, Image, Space, Typography } from 'antd';
import { useLink, useTranslate } from '@refinedev/core';
import { DateTime } from '../date-time';
import { MediaPreview } from '../media/media-thumbs';
import { GenerationStatusTag, siteUsedLabel } from './record-status';
import { resultUrls, type GenerationRecord, type RecordType } from './types';

const MONO = 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';

/** Fields laid out below; anything else the server sends shows under "All fields". */
const SHOWN = new Set([
  'id',
  'project_id',
  'project_name',
  'storyboard_id',
  'work_id',
  'batch_id',
  'model',
  'prompt',
  'negative_prompt',
  'ratio',
  'resolution',
  'duration',
  'input_images',
  'generation_status',
  'site_used',
  'image_urls',
  'video_urls',
  'thumbnail_urls',
  'account_id',
  'account_name',
  'generation_time',
  'site_switch_count',
  'retry_count',
  'error_message',
  'callback_url',
  'create_time',
  'update_time',
]);

function Mono({ children }: { children: unknown }) {
  if (children === undefined || children === null || children === '') return <>—</>;
  return (
    <Typography.Text copyable style={{ fontFamily: MONO, fontSize: 12 }}>
      {String(children)}
    </Typography.Text>
  );
}

/**
 * Everything about one generation (contract 003 §6.4): the result, every parameter, and where it
 * came from — project, storyboard, batch and the Jimeng account that produced it.
 */
export function RecordDetail({ record, type }: { record: GenerationRecord; type: RecordType }) {
  const t = useTranslate();
  const Link = useLink();
  const extra = Object.entries(record).filter(([key]) => !SHOWN.has(key));
  const f = (key: string) => t(`jimeng_records.fields.${key}`);

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }} data-testid="record-detail">
      <MediaPreview kind={type} urls={resultUrls(record)} thumbs={record.thumbnail_urls} />

      <Descriptions size="small" bordered column={1} styles={{ label: { width: 160 } }}>
        <Descriptions.Item label={f('generation_status')}>
          <Space>
            <GenerationStatusTag value={record.generation_status} />
            {record.error_message && <Typography.Text type="danger">{record.error_message}</Typography.Text>}
          </Space>
        </Descriptions.Item>
        <Descriptions.Item label={f('prompt')}>
          <Typography.Paragraph copyable style={{ marginBottom: 0, whiteSpace: 'pre-wrap' }}>
            {record.prompt || '—'}
          </Typography.Paragraph>
        </Descriptions.Item>
        <Descriptions.Item label={f('negative_prompt')}>{record.negative_prompt || '—'}</Descriptions.Item>
        <Descriptions.Item label={f('model')}>{record.model || '—'}</Descriptions.Item>
        {type === 'image' ? (
          <>
            <Descriptions.Item label={f('ratio')}>{record.ratio || '—'}</Descriptions.Item>
            <Descriptions.Item label={f('resolution')}>{record.resolution || '—'}</Descriptions.Item>
          </>
        ) : (
          <Descriptions.Item label={f('duration')}>
            {record.duration ? t('units.seconds', { value: record.duration }) : '—'}
          </Descriptions.Item>
        )}
        <Descriptions.Item label={f('input_images')}>
          {record.input_images?.length ? (
            <Image.PreviewGroup>
              <Space wrap size={4}>
                {record.input_images.map((url) => (
                  <Image key={url} src={url} width={56} height={56} style={{ objectFit: 'cover' }} />
                ))}
              </Space>
            </Image.PreviewGroup>
          ) : (
            '—'
          )}
        </Descriptions.Item>
        <Descriptions.Item label={f('account')}>
          {record.account_id ? (
            <Space direction="vertical" size={0} data-testid="record-account">
              <Link to={`/jimeng-accounts/edit/${record.account_id}`}>
                {record.account_name || record.account_id}
              </Link>
              <Typography.Text type="secondary" style={{ fontFamily: MONO, fontSize: 12 }}>
                {record.account_id}
              </Typography.Text>
            </Space>
          ) : (
            (record.account_name ?? '—')
          )}
        </Descriptions.Item>
        <Descriptions.Item label={f('site_used')}>{siteUsedLabel(t, record.site_used)}</Descriptions.Item>
        <Descriptions.Item label={f('generation_time')}>
          {typeof record.generation_time === 'number'
            ? t('units.seconds', { value: record.generation_time })
            : '—'}
        </Descriptions.Item>
        <Descriptions.Item label={f('site_switch_count')}>{record.site_switch_count ?? 0}</Descriptions.Item>
        <Descriptions.Item label={f('retry_count')}>{record.retry_count ?? 0}</Descriptions.Item>
        <Descriptions.Item label={f('project')}>
          {record.project_name || '—'}
          {record.project_id && (
            <Typography.Text type="secondary" style={{ marginInlineStart: 8 }}>
              ({record.project_id})
            </Typography.Text>
          )}
        </Descriptions.Item>
        <Descriptions.Item label={f('work_id')}>
          <Mono>{record.work_id}</Mono>
        </Descriptions.Item>
        <Descriptions.Item label={f('storyboard_id')}>
          <Mono>{record.storyboard_id}</Mono>
        </Descriptions.Item>
        <Descriptions.Item label={f('batch_id')}>
          {record.batch_id ? (
            <Link to={`/jimeng-batches/show/${record.batch_id}`}>{record.batch_id}</Link>
          ) : (
            '—'
          )}
        </Descriptions.Item>
        <Descriptions.Item label={f('id')}>
          <Mono>{record.id}</Mono>
        </Descriptions.Item>
        <Descriptions.Item label={f('results')}>
          {resultUrls(record).length ? (
            <Space direction="vertical" size={0}>
              {resultUrls(record).map((url) => (
                <Typography.Link key={url} href={url} target="_blank" rel="noreferrer" ellipsis>
                  {url}
                </Typography.Link>
              ))}
            </Space>
          ) : (
            '—'
          )}
        </Descriptions.Item>
        <Descriptions.Item label={f('callback_url')}>{record.callback_url || '—'}</Descriptions.Item>
        <Descriptions.Item label={f('create_time')}>
          <DateTime value={record.create_time_iso} />
        </Descriptions.Item>
        <Descriptions.Item label={f('update_time')}>
          <DateTime value={record.update_time_iso} />
        </Descriptions.Item>
        {extra.map(([key, value]) => (
          <Descriptions.Item key={key} label={t(`jimeng_records.fields.${key}`, key)}>
            {typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value ?? '—')}
          </Descriptions.Item>
        ))}
      </Descriptions>

      <Collapse
        size="small"
        items={[
          {
            key: 'raw',
            label: t('jimeng_records.raw'),
            children: (
              <pre style={{ margin: 0, fontSize: 12, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
                {JSON.stringify(record, null, 2)}
              </pre>
            ),
          },
        ]}
      />
    </Space>
  );
}
