import { Select } from 'antd';
import { useSelect } from '@refinedev/antd';
import type { BaseRecord } from '@refinedev/core';

interface CatalogSelectProps {
  /** The catalog whose rows are the choices, e.g. `music_types`. */
  resource: string;
  /** The row field stored in the form (and shown), e.g. `name`. */
  field: string;
  /** Injected by Form.Item. */
  value?: string;
  onChange?: (value: string) => void;
  id?: string;
}

/** A value chosen from another catalog (a music entry's type from the music types), searchable. */
export function CatalogSelect({ resource, field, value, onChange, id }: CatalogSelectProps) {
  const { selectProps } = useSelect<BaseRecord>({
    resource,
    optionLabel: (row) => String(row[field]),
    optionValue: (row) => String(row[field]),
    // The catalogs are small and listed whole; searching filters the loaded options.
    pagination: { mode: 'off' },
  });
  return (
    <Select<string>
      id={id}
      value={value}
      onChange={(next) => onChange?.(next)}
      options={selectProps.options}
      loading={selectProps.loading}
      showSearch
      filterOption={(input, option) =>
        String(option?.label ?? '')
          .toLowerCase()
          .includes(input.toLowerCase())
      }
      data-testid={`catalog-select-${resource}`}
    />
  );
}
