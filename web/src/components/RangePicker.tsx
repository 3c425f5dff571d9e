/**
 * The date range picker: presets (in the store's time zone), a custom from/to, and compare-to-previous.
 * Everything lives in the URL (`range` or `from`+`to`, `compare`).
 */
import {
  type Key,
  Label,
  ListBox,
  ListBoxItem,
  Popover,
  Select,
  SelectValue,
  Button,
} from 'react-aria-components';
import { calendarDate } from '../format.ts';
import { PRESETS, type SelectedRange } from '../range.ts';
import { setParams } from '../router.ts';

const COMPARE_OPTIONS = [
  { id: 'none', label: 'No comparison' },
  { id: 'previous_period', label: 'Previous period' },
  { id: 'previous_year', label: 'Previous year' },
] as const;

/** A labelled select of `options` (react-aria Select). */
export function Picker({
  label,
  selected,
  options,
  onChange,
}: {
  label: string;
  selected: string;
  options: readonly { id: string; label: string }[];
  onChange: (key: string) => void;
}) {
  return (
    <Select
      className="picker"
      selectedKey={selected}
      onSelectionChange={(key: Key | null) => key !== null && onChange(String(key))}
    >
      <Label className="picker-label">{label}</Label>
      <Button className="select-button">
        <SelectValue />
        <span aria-hidden="true" className="chevron">
          ▾
        </span>
      </Button>
      <Popover className="popover">
        <ListBox className="listbox" items={options}>
          {(option) => (
            <ListBoxItem id={option.id} className="listbox-item">
              {option.label}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </Select>
  );
}

export function RangePicker({ range, today }: { range: SelectedRange; today: string }) {
  const choosePreset = (preset: string) => {
    if (preset === 'custom') setParams({ range: null, from: range.from, to: range.to });
    else setParams({ range: preset, from: null, to: null });
  };
  const setDate = (which: 'from' | 'to', value: string) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return;
    const next = { from: range.from, to: range.to, [which]: value };
    if (next.from > next.to) return;
    setParams({ range: null, ...next });
  };
  return (
    <div className="range-picker" role="group" aria-label="Date range">
      <Picker label="Date range" selected={range.preset} options={PRESETS} onChange={choosePreset} />
      {range.preset === 'custom' ? (
        <div className="custom-dates">
          <label>
            <span className="picker-label">From</span>
            <input
              className="input"
              type="date"
              value={range.from}
              max={today}
              onChange={(event) => setDate('from', event.target.value)}
            />
          </label>
          <label>
            <span className="picker-label">To</span>
            <input
              className="input"
              type="date"
              value={range.to}
              max={today}
              onChange={(event) => setDate('to', event.target.value)}
            />
          </label>
        </div>
      ) : (
        <p className="range-dates" aria-live="polite">
          {range.from === range.to
            ? calendarDate(range.from)
            : `${calendarDate(range.from)} – ${calendarDate(range.to)}`}
        </p>
      )}
      <Picker
        label="Compare to"
        selected={range.compare ?? 'none'}
        options={COMPARE_OPTIONS}
        onChange={(key) => setParams({ compare: key === 'none' ? null : key })}
      />
    </div>
  );
}
