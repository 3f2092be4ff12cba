import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { Alert, Button } from 'antd';
import { RedoOutlined } from '@ant-design/icons';
import { DeleteButton, ListButton, RefreshButton, Show } from '@refinedev/antd';
import { useNavigation, useShow, useTranslate, type HttpError } from '@refinedev/core';
import { RecordDetail } from '../../components/jimeng-records/record-detail';
import { RegenerateModal } from '../../components/jimeng-records/regenerate-modal';
import { isRecordType, type GenerationRecord } from '../../components/jimeng-records/types';

/** `/jimeng-records/show/:id?type=image|video`: one record on its own page (linked from batches). */
export function JimengRecordShow() {
  const t = useTranslate();
  const [params] = useSearchParams();
  const raw = params.get('type');
  const type = isRecordType(raw) ? raw : 'image';
  const [regenerating, setRegenerating] = useState<GenerationRecord | null>(null);
  const { list } = useNavigation();
  const { result, query } = useShow<GenerationRecord, HttpError>({ meta: { type } });

  return (
    <Show
      isLoading={query.isLoading}
      title={t('jimeng_records.titles.show')}
      headerButtons={({ refreshButtonProps, listButtonProps }) => (
        <>
          {listButtonProps && <ListButton {...listButtonProps} />}
          <RefreshButton {...refreshButtonProps} />
          <Button
            icon={<RedoOutlined />}
            disabled={!result?.storyboard_id}
            onClick={() => result && setRegenerating(result)}
          >
            {t('jimeng_records.actions.regenerate')}
          </Button>
          {result && (
            <DeleteButton recordItemId={result.id} meta={{ type }} onSuccess={() => list('jimeng_records')} />
          )}
        </>
      )}
    >
      {query.isError && <Alert type="error" showIcon message={query.error?.message} />}
      {result && <RecordDetail record={result} type={type} />}
      <RegenerateModal
        type={type}
        record={regenerating}
        onClose={() => setRegenerating(null)}
        onDone={() => void query.refetch()}
      />
    </Show>
  );
}
