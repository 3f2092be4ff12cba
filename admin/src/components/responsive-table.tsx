import { Children, isValidElement, type Key, type ReactNode } from 'react';
import { Descriptions, Grid, Table, type TableProps } from 'antd';

type Breakpoint = 'xs' | 'sm' | 'md' | 'lg' | 'xl' | 'xxl';
const ORDER: Breakpoint[] = ['xs', 'sm', 'md', 'lg', 'xl', 'xxl'];

/** antd's `responsive` for a column shown from `point` up (below it, in the row's detail). */
export function shownFrom(point: Exclude<Breakpoint, 'xs'>): Breakpoint[] {
  return ORDER.slice(ORDER.indexOf(point));
}

/**
 * What this wrapper reads of a column. Deliberately loose: typing it with antd's ColumnType<T> made
 * tsc run out of memory; the pages' own Table.Column<Row> keep the row types where they are written.
 */
interface LooseColumn {
  key?: Key;
  dataIndex?: string | number | readonly (string | number)[];
  title?: ReactNode;
  responsive?: Breakpoint[];
  render?: (value: unknown, record: unknown, index: number) => ReactNode;
}

// Rows of any page: each page's tableProps (from useTable<Row>) must pass without a cast.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyRow = any;

/** `<Table.Column>` children as column objects (what antd does internally, which it does not export). */
function columnsOf(children: ReactNode): LooseColumn[] {
  const columns: LooseColumn[] = [];
  Children.forEach(children, (child) => {
    if (isValidElement(child)) columns.push({ ...(child.props as LooseColumn), key: child.key ?? undefined });
  });
  return columns;
}

function cellOf(column: LooseColumn, record: unknown, index: number): ReactNode {
  const path = column.dataIndex === undefined ? [] : [column.dataIndex].flat();
  let value: unknown = path.length ? record : undefined;
  for (const key of path) value = (value as Record<string | number, unknown> | undefined)?.[key];
  return column.render ? column.render(value, record, index) : (value as ReactNode);
}

/**
 * A table that never scrolls sideways: columns carry antd's `responsive` (the breakpoints they show
 * at), and the columns hidden at the current width move into the row's expandable detail — so a
 * phone sees the primary columns and opens a row for the rest, and a desktop sees them all.
 */
export function ResponsiveTable(props: TableProps<AnyRow>) {
  const { children, columns, expandable } = props;
  const screens = Grid.useBreakpoint();
  const all = columns ? (columns as LooseColumn[]) : columnsOf(children);
  const hidden = all.filter(
    (column) => column.responsive && !column.responsive.some((point) => screens[point]),
  );
  const details = (record: unknown, index: number) => (
    <Descriptions
      size="small"
      column={1}
      items={hidden.map((column, i) => ({
        key: String(column.key ?? column.dataIndex ?? i),
        label: column.title,
        children: cellOf(column, record, index),
      }))}
    />
  );
  const withDetails: TableProps<AnyRow>['expandable'] = {
    ...expandable,
    rowExpandable: () => true,
    expandedRowRender: (record, index, indent, expanded) => (
      <>
        {details(record, index)}
        {expandable?.expandedRowRender?.(record, index, indent, expanded)}
      </>
    ),
  };
  return (
    <Table
      {...props}
      // The children became `columns` above; antd would otherwise read them a second time.
      children={undefined}
      columns={all as TableProps<AnyRow>['columns']}
      expandable={hidden.length ? withDetails : expandable}
    />
  );
}
