import { Tooltip, Typography } from 'antd';
import { formatInstant } from '../lib/format-time';
import { useTimeZone } from '../lib/time-zone';

/**
 * An instant in the staff member's zone, in the admin's one format; the zone on hover. Pass ISO
 * instants (the API's `…_iso` fields for contract 003, or any `…_at` field), never zoned strings.
 */
export function DateTime({ value }: { value: unknown }) {
  const zone = useTimeZone();
  const text = formatInstant(value, zone);
  if (!text) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Tooltip title={zone}>
      <span data-instant={String(value)} style={{ whiteSpace: 'nowrap' }}>
        {text}
      </span>
    </Tooltip>
  );
}
