import { Form, Input, Modal, Select, Typography } from 'antd';
import { useCustomMutation, useTranslate } from '@refinedev/core';
import { resourceActionUrl } from '../../providers/data-provider';
import { resourceApis } from '../../resources';
import type { GenerationRecord, RecordType, RegenerateInput } from './types';

const RATIOS = ['1:1', '4:3', '3:4', '16:9', '9:16', '3:2', '2:3', '21:9'];
const RESOLUTIONS = ['1k', '2k', '4k', '720p', '1080p'];
/** The gateway makes 5 s or 10 s videos. */
const DURATIONS = [5, 10];

interface FormValues {
  prompt?: string;
  model?: string;
  ratio?: string;
  resolution?: string;
  duration?: number;
  input_images?: string;
}

interface RegenerateModalProps {
  type: RecordType;
  record: GenerationRecord | null;
  onClose: () => void;
  onDone: () => void;
}

/**
 * Regenerate by storyboard (contract 003 §6.2): the record keeps its id and gets new results.
 * Prefilled with the record's parameters; only what staff change is sent as an override.
 */
export function RegenerateModal({ type, record, onClose, onDone }: RegenerateModalProps) {
  const t = useTranslate();
  const [form] = Form.useForm<FormValues>();
  const regenerate = useCustomMutation<{ record_id: string; task_id: string }>();

  const submit = async () => {
    if (!record?.storyboard_id) return;
    const values = await form.validateFields();
    const body: RegenerateInput = {
      storyboard_id: record.storyboard_id,
      // A record without a project has null here; the server takes the field as absent, not null.
      project_id: record.project_id ?? undefined,
      project_name: record.project_name ?? undefined,
      work_id: record.work_id,
    };
    const changed = <K extends keyof FormValues>(key: K, original: unknown) =>
      values[key] !== undefined && values[key] !== '' && values[key] !== original;
    if (changed('prompt', record.prompt)) body.prompt = values.prompt!.trim();
    if (changed('model', record.model)) body.model = values.model!.trim();
    if (type === 'image') {
      if (changed('ratio', record.ratio)) body.ratio = values.ratio;
      if (changed('resolution', record.resolution)) body.resolution = values.resolution;
    } else if (changed('duration', record.duration)) {
      body.duration = values.duration;
    }
    const images = (values.input_images ?? '')
      .split(/\s+/)
      .map((line) => line.trim())
      .filter(Boolean);
    if (images.join('\n') !== (record.input_images ?? []).join('\n')) body.input_images = images;

    regenerate.mutate(
      {
        url: resourceActionUrl(resourceApis, 'jimeng_records', `regenerate_${type}`),
        method: 'post',
        values: body,
        successNotification: (response) => ({
          type: 'success',
          message: t('jimeng_records.actions.regenerateSuccess'),
          description: response?.data.task_id
            ? t('jimeng_records.actions.regenerateTask', { task: response.data.task_id })
            : undefined,
        }),
        errorNotification: (error) => ({
          type: 'error',
          message: t('jimeng_records.actions.regenerateError'),
          description: error?.message,
        }),
      },
      {
        onSuccess: () => {
          onClose();
          onDone();
        },
      },
    );
  };

  return (
    <Modal
      open={record !== null}
      title={t('jimeng_records.actions.regenerateTitle', { storyboard: record?.storyboard_id ?? '' })}
      okText={t('jimeng_records.actions.regenerate')}
      confirmLoading={regenerate.mutation.isPending}
      onOk={() => void submit()}
      onCancel={onClose}
      destroyOnHidden
      width={640}
    >
      <Typography.Paragraph type="secondary">
        {t('jimeng_records.actions.regenerateHelp')}
      </Typography.Paragraph>
      {record && (
        <Form
          form={form}
          layout="vertical"
          preserve={false}
          initialValues={{
            prompt: record.prompt,
            model: record.model,
            ratio: record.ratio ?? undefined,
            resolution: record.resolution ?? undefined,
            duration: record.duration ?? undefined,
            input_images: (record.input_images ?? []).join('\n'),
          }}
        >
          <Form.Item
            name="prompt"
            label={t('jimeng_records.fields.prompt')}
            rules={[{ required: true, whitespace: true }]}
          >
            <Input.TextArea autoSize={{ minRows: 3, maxRows: 8 }} />
          </Form.Item>
          <Form.Item name="model" label={t('jimeng_records.fields.model')}>
            <Input />
          </Form.Item>
          {type === 'image' ? (
            <Form.Item label={t('jimeng_records.fields.ratio_resolution')} style={{ marginBottom: 0 }}>
              <Form.Item name="ratio" style={{ display: 'inline-block', width: 'calc(50% - 8px)' }}>
                <Select options={RATIOS.map((value) => ({ value, label: value }))} allowClear />
              </Form.Item>
              <Form.Item
                name="resolution"
                style={{ display: 'inline-block', width: 'calc(50% - 8px)', marginInlineStart: 16 }}
              >
                <Select options={RESOLUTIONS.map((value) => ({ value, label: value }))} allowClear />
              </Form.Item>
            </Form.Item>
          ) : (
            <Form.Item name="duration" label={t('jimeng_records.fields.duration')}>
              <Select
                style={{ width: 160 }}
                options={DURATIONS.map((value) => ({ value, label: t('units.seconds', { value }) }))}
              />
            </Form.Item>
          )}
          <Form.Item
            name="input_images"
            label={t('jimeng_records.fields.input_images')}
            extra={t('jimeng_records.actions.inputImagesHelp')}
          >
            <Input.TextArea autoSize={{ minRows: 1, maxRows: 6 }} spellCheck={false} />
          </Form.Item>
        </Form>
      )}
    </Modal>
  );
}
