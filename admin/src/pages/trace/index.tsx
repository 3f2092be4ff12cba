import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import {
  Alert,
  Card,
  Descriptions,
  Empty,
  Image,
  Input,
  Space,
  Table,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useTranslate } from '@refinedev/core';
import { isHttpError, request } from '../../providers/api-client';
import type { TraceView } from '@dreamloom/contracts';

const EVENT_COLORS: Record<string, string> = {
  created: 'blue',
  started: 'blue',
  output: 'green',
  credits: 'gold',
  finished: 'gray',
  audit: 'red',
  record: 'purple',
};

/**
 * `/trace?q=…`: staff paste an output URL, a record id, a generation uuid or an image id and see
 * one timeline — task, where it ran (masked credentials), errors with their class, credits, the
 * member and the staff actions that touched it. The query lives in the URL so a trace is a link.
 */
export function TracePage() {
  const t = useTranslate();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const [draft, setDraft] = useState(q);
  const [view, setView] = useState<TraceView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    setDraft(q);
    if (!q) return;
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    request<TraceView>('/api/v1/admin/trace', { query: { q }, signal: controller.signal })
      .then(({ data }) => setView(data))
      .catch((failure: unknown) => {
        if (controller.signal.aborted) return;
        setView(null);
        setError(
          isHttpError(failure) && failure.statusCode === 404
            ? t('trace.notFound')
            : String((failure as Error).message),
        );
      })
      .finally(() => !controller.signal.aborted && setLoading(false));
    return () => controller.abort();
  }, [q, t]);

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('trace.title')}
      </Typography.Title>
      <Input.Search
        aria-label={t('trace.search')}
        placeholder={t('trace.placeholder')}
        enterButton={t('trace.search')}
        value={draft}
        loading={loading}
        allowClear
        onChange={(event) => setDraft(event.target.value)}
        onSearch={(value) => setParams(value.trim() ? { q: value.trim() } : {})}
      />
      {error && <Alert type="warning" showIcon message={error} />}
      {!q && !view && <Empty description={t('trace.hint')} />}
      {view && q && <TraceDetails view={view} />}
    </Space>
  );
}

function TraceDetails({ view }: { view: TraceView }) {
  const t = useTranslate();
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }} data-testid="trace-view">
      <Card size="small" title={t('trace.sections.summary')}>
        <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }}>
          <Descriptions.Item label={t('trace.fields.matched')}>
            <Tag>{t(`trace.kinds.${view.matched.kind}`)}</Tag> {view.matched.id}
          </Descriptions.Item>
          {view.task && (
            <>
              <Descriptions.Item label={t('trace.fields.task')}>{String(view.task.id)}</Descriptions.Item>
              <Descriptions.Item label={t('trace.fields.source')}>
                {`${view.task.source} · ${view.task.kind} · ${view.task.provider} ${view.task.model}`}
              </Descriptions.Item>
              <Descriptions.Item label={t('trace.fields.status')}>
                <Tag
                  color={
                    view.task.status === 'failed'
                      ? 'red'
                      : view.task.status === 'completed'
                        ? 'green'
                        : 'blue'
                  }
                >
                  {String(view.task.status)}
                </Tag>
              </Descriptions.Item>
              <Descriptions.Item label={t('trace.fields.prompt')}>
                {String(view.task.prompt ?? '')}
              </Descriptions.Item>
            </>
          )}
          {view.jimeng_record && (
            <Descriptions.Item label={t('trace.fields.record')}>
              {`${view.jimeng_record.id} · ${view.jimeng_record.work_id} / ${view.jimeng_record.storyboard_id}`}
              {view.jimeng_record.is_deleted ? <Tag color="red">{t('trace.deleted')}</Tag> : null}
            </Descriptions.Item>
          )}
          <Descriptions.Item label={t('trace.fields.credits')}>
            {t('trace.creditsSummary', {
              charged: view.credits.charged,
              refunded: view.credits.refunded,
              net: view.credits.net,
            })}
          </Descriptions.Item>
          {view.user && (
            <Descriptions.Item label={t('trace.fields.user')}>
              {view.user.username ?? view.user.display_name ?? view.user.id} ({view.user.role}){' '}
              {view.user.identities.map((identity) => (
                <Tag key={`${identity.provider}:${identity.subject}`}>
                  {`${identity.provider}:${identity.subject}`}
                </Tag>
              ))}
            </Descriptions.Item>
          )}
        </Descriptions>
        {view.outputs.length > 0 && (
          <Image.PreviewGroup>
            <Space wrap style={{ marginTop: 8 }}>
              {view.outputs
                .filter((output) => output.mime.startsWith('image/'))
                .map((output) => (
                  <Image
                    key={output.id}
                    width={96}
                    src={output.thumbnail_url ?? output.url}
                    preview={{ src: output.url }}
                  />
                ))}
            </Space>
          </Image.PreviewGroup>
        )}
      </Card>

      <Card size="small" title={t('trace.sections.timeline')}>
        <Timeline
          items={view.timeline.map((event) => ({
            color: EVENT_COLORS[event.kind] ?? 'gray',
            children: (
              <span>
                <Typography.Text type="secondary">{new Date(event.at).toLocaleString()}</Typography.Text>{' '}
                <Tag>{t(`trace.events.${event.kind}`)}</Tag>
                {event.text}
              </span>
            ),
          }))}
        />
      </Card>

      <Card size="small" title={t('trace.sections.attempts')}>
        <Table
          size="small"
          rowKey="scope"
          pagination={false}
          scroll={{ x: true }}
          dataSource={view.attempts}
          columns={[
            { title: t('trace.fields.scope'), dataIndex: 'scope' },
            { title: t('trace.fields.attempts'), dataIndex: 'attempts' },
            { title: t('trace.fields.status'), dataIndex: 'status' },
            {
              title: t('trace.fields.credential'),
              key: 'credential',
              render: (_, attempt) => (
                <span>
                  <Tag>{t(`trace.credentials.${attempt.credential}`)}</Tag>
                  {attempt.account ? `${attempt.account.name} ` : ''}
                  <Typography.Text code>{attempt.key_mask ?? '—'}</Typography.Text>
                </span>
              ),
            },
            {
              title: t('trace.fields.error'),
              dataIndex: 'error',
              render: (value: string | null) => value ?? '—',
            },
          ]}
        />
      </Card>

      {view.errors.length > 0 && (
        <Card size="small" title={t('trace.sections.errors')}>
          {view.errors.map((failure) => (
            <Alert
              key={`${failure.where}:${failure.message}`}
              type="error"
              style={{ marginBottom: 8 }}
              message={`${failure.where}: ${failure.class ?? failure.code ?? t('trace.unclassified')}`}
              description={failure.message}
            />
          ))}
        </Card>
      )}

      <Card size="small" title={t('trace.sections.audit')}>
        {view.audit.length === 0 ? (
          <Typography.Text type="secondary">{t('trace.noAudit')}</Typography.Text>
        ) : (
          <Table
            size="small"
            rowKey="id"
            pagination={false}
            scroll={{ x: true }}
            dataSource={view.audit}
            columns={[
              {
                title: t('trace.fields.when'),
                dataIndex: 'created_at',
                render: (value: string) => new Date(value).toLocaleString(),
              },
              { title: t('trace.fields.who'), dataIndex: 'actor_name' },
              { title: t('trace.fields.action'), dataIndex: 'action' },
              {
                title: t('trace.fields.target'),
                key: 'target',
                render: (_, entry) => `${entry.target_kind} ${entry.target_id}`,
              },
            ]}
          />
        )}
      </Card>
    </Space>
  );
}
