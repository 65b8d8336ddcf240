/**
 * A virtualized table for result sets of any size: only the rows in view exist in
 * the DOM, and rows are asked for by index (`getRow`), so the caller can page them in
 * from the engine as the user scrolls. It is an ARIA grid reached with Tab: arrow
 * keys, Page Up/Down, Home and End move the selection, Enter opens the selected row.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useId, useRef } from 'react';
import type { CSSProperties, KeyboardEvent, ReactNode } from 'react';

export interface Column<Row> {
  id: string;
  header: string;
  /** A CSS grid track, e.g. '10rem' or 'minmax(12rem, 2fr)'. */
  width: string;
  render(row: Row): ReactNode;
  /** Plain-text value for the cell's title (full text on hover when cut). */
  title?(row: Row): string | undefined;
  numeric?: boolean;
  /** Sort key the engine understands, when the column can be sorted by. */
  sortKey?: string;
}

export interface SortState {
  by: string;
  dir: 'asc' | 'desc';
}

export interface VirtualTableProps<Row> {
  label: string;
  columns: Column<Row>[];
  total: number;
  /** The row at an index, or undefined while its page loads. */
  getRow(index: number): Row | undefined;
  /** Called with the index range in view (plus overscan) so the caller can fetch it. */
  onRangeChange(start: number, end: number): void;
  rowKey(row: Row): string;
  selectedIndex: number | null;
  onSelect(index: number): void;
  /** Enter on a row, or a double click. */
  onActivate?(index: number): void;
  sort?: SortState;
  onSort?(sort: SortState): void;
  testId?: string;
  rowTestId?: string;
  /** Extra attributes of a row for tests and styling. */
  rowData?(row: Row): Record<string, string>;
}

const ROW_HEIGHT = 32;

export function VirtualTable<Row>(props: VirtualTableProps<Row>) {
  const { label, columns, total, getRow, onRangeChange, rowKey, selectedIndex, onSelect, onActivate, sort, onSort, testId, rowTestId, rowData } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const baseId = useId();
  // Header and rows share one template and one minimum width (the sum of the columns'
  // minimums), so every row lays its columns out exactly under the header whatever
  // its content; wider content is cut with an ellipsis instead.
  const template: CSSProperties = {
    gridTemplateColumns: columns.map((c) => c.width).join(' '),
    minWidth: `${columns.reduce((sum, c) => sum + minRem(c.width), 0)}rem`,
  };

  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // The sticky header row covers the top of the scroll area.
    scrollPaddingStart: ROW_HEIGHT,
  });
  const items = virtualizer.getVirtualItems();
  const first = items.length > 0 ? items[0].index : 0;
  const last = items.length > 0 ? items[items.length - 1].index : -1;

  useEffect(() => {
    if (last >= first && total > 0) onRangeChange(first, last + 1);
  }, [first, last, total, onRangeChange]);

  useEffect(() => {
    if (selectedIndex !== null && selectedIndex < total) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, total, virtualizer]);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>): void {
    if (total === 0) return;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 1);
    const current = selectedIndex ?? -1;
    let next: number | null = null;
    switch (event.key) {
      case 'ArrowDown':
        next = Math.min(total - 1, current + 1);
        break;
      case 'ArrowUp':
        next = Math.max(0, current - 1);
        break;
      case 'PageDown':
        next = Math.min(total - 1, current + page);
        break;
      case 'PageUp':
        next = Math.max(0, current - page);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = total - 1;
        break;
      case 'Enter':
        if (selectedIndex !== null) {
          event.preventDefault();
          onActivate?.(selectedIndex);
        }
        return;
      default:
        return;
    }
    event.preventDefault();
    onSelect(next);
  }

  function headerClick(column: Column<Row>): void {
    if (column.sortKey === undefined || onSort === undefined) return;
    const dir = sort?.by === column.sortKey && sort.dir === 'asc' ? 'desc' : 'asc';
    onSort({ by: column.sortKey, dir });
  }

  return (
    <div className="vtable" data-testid={testId}>
      <div
        className="vtable-scroll"
        ref={scrollRef}
        role="grid"
        aria-label={label}
        aria-rowcount={total + 1}
        aria-colcount={columns.length}
        aria-activedescendant={selectedIndex !== null && getRow(selectedIndex) !== undefined ? `${baseId}-r${selectedIndex}` : undefined}
        tabIndex={0}
        onKeyDown={onKeyDown}
      >
        <div className="vtable-head" role="row" aria-rowindex={1} style={template}>
          {columns.map((column) => {
            const sorted = column.sortKey !== undefined && sort?.by === column.sortKey;
            return (
              <div
                key={column.id}
                role="columnheader"
                className={`vtable-th${column.numeric === true ? ' col-num' : ''}`}
                aria-sort={sorted ? (sort?.dir === 'asc' ? 'ascending' : 'descending') : undefined}
              >
                {column.sortKey !== undefined && onSort !== undefined ? (
                  <button type="button" className="vtable-sort" onClick={() => headerClick(column)} tabIndex={-1} title={`Sort by ${column.header.toLowerCase()}`}>
                    {column.header}
                    <span className="vtable-sort-mark" aria-hidden="true">
                      {sorted ? (sort?.dir === 'asc' ? '▲' : '▼') : ''}
                    </span>
                  </button>
                ) : (
                  column.header
                )}
              </div>
            );
          })}
        </div>
        <div className="vtable-body" style={{ height: `${virtualizer.getTotalSize()}px` }}>
          {items.map((item) => {
            const row = getRow(item.index);
            const selected = item.index === selectedIndex;
            const style: CSSProperties = { ...template, height: `${item.size}px`, transform: `translateY(${item.start}px)` };
            if (row === undefined) {
              return (
                <div key={`loading-${item.index}`} className="vtable-row vtable-row--loading" role="row" aria-rowindex={item.index + 2} style={style}>
                  <div role="gridcell" className="vtable-td muted">
                    loading…
                  </div>
                </div>
              );
            }
            return (
              <div
                key={rowKey(row)}
                id={`${baseId}-r${item.index}`}
                className={`vtable-row${selected ? ' vtable-row--selected' : ''}${item.index % 2 === 1 ? ' vtable-row--odd' : ''}`}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={selected}
                style={style}
                data-testid={rowTestId}
                data-index={item.index}
                {...(rowData === undefined ? {} : prefixData(rowData(row)))}
                onClick={() => onSelect(item.index)}
                onDoubleClick={() => onActivate?.(item.index)}
              >
                {columns.map((column) => (
                  <div key={column.id} role="gridcell" className={`vtable-td${column.numeric === true ? ' col-num num' : ''}`} title={column.title?.(row)} data-col={column.id}>
                    {column.render(row)}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

/** The minimum of a track in rem: '10rem' → 10, 'minmax(12rem, 2fr)' → 12. */
function minRem(width: string): number {
  const match = /(\d+(?:\.\d+)?)rem/.exec(width);
  return match === null ? 0 : Number(match[1]);
}

function prefixData(data: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) out[`data-${k}`] = v;
  return out;
}
