import { useMemo, useState } from 'react';
import { Modal, Select, Typography } from 'antd';
import { useTranslate } from '@refinedev/core';
import { browserTimeZone, knownTimeZones } from '../lib/format-time';
import { chooseTimeZone, chosenTimeZone } from '../lib/time-zone';

/** The header's "Time zone" dialog: the browser's own zone or any IANA zone, applied on OK. */
export function TimeZoneDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useTranslate();
  const [zone, setZone] = useState<string>(chosenTimeZone() ?? '');
  const options = useMemo(
    () => [
      { value: '', label: t('header.timeZoneBrowser', { zone: browserTimeZone() }) },
      ...knownTimeZones().map((name) => ({ value: name, label: name })),
    ],
    [t],
  );
  return (
    <Modal
      open={open}
      title={t('header.timeZoneTitle')}
      onOk={() => {
        chooseTimeZone(zone || null);
        onClose();
      }}
      onCancel={onClose}
      destroyOnHidden
    >
      <Select
        showSearch
        style={{ width: '100%' }}
        value={zone}
        options={options}
        onChange={setZone}
        optionFilterProp="label"
        data-testid="time-zone-select"
      />
      <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
        {t('header.timeZoneHelp')}
      </Typography.Paragraph>
    </Modal>
  );
}
