import { COMPOSER_KIND_SPECS, type ComposerKind } from './composer-kinds';
import type { StoryboardItem } from './storyboard-parser';

/** The composer's form: where the batch goes and its global_config (contract 003 §9). */
export interface ComposerValues {
  kind: ComposerKind;
  work_id: string;
  project_id?: string;
  project_name?: string;
  model?: string;
  ratio?: string;
  resolution?: string;
  duration?: number;
  existing_records?: 'overwrite' | 'skip';
  callback_url?: string;
  load_balance?: string;
  priority?: number;
}

export interface BatchRequest {
  path: string;
  body: {
    work_id: string;
    project_id?: string;
    project_name?: string;
    batch_data: StoryboardItem[];
    global_config: Record<string, unknown>;
  };
}

const filled = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);

/** The POST for a batch of `values.kind`; settings left empty are omitted so the server's defaults apply. */
export function buildBatchRequest(values: ComposerValues, items: StoryboardItem[]): BatchRequest {
  const spec = COMPOSER_KIND_SPECS[values.kind];
  const global: Record<string, unknown> = {
    model: filled(values.model),
    ratio: values.ratio || undefined,
    resolution: values.resolution || undefined,
    duration: spec.media === 'video' ? values.duration || undefined : undefined,
    existing_records: values.existing_records,
    callback_url: filled(values.callback_url),
    priority: values.priority,
    account_strategy: values.load_balance ? { load_balance: values.load_balance } : undefined,
  };
  return {
    path: spec.path,
    body: {
      work_id: values.work_id.trim(),
      project_id: filled(values.project_id),
      project_name: filled(values.project_name),
      batch_data: items,
      global_config: Object.fromEntries(Object.entries(global).filter(([, value]) => value !== undefined)),
    },
  };
}
