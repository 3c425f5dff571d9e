import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { intervalFor, presetDates, rangeFromParams, rangeDays } from './range.ts';

describe('range presets', () => {
  it('resolves each preset to inclusive dates as seen on a given day', () => {
    const today = '2024-03-10';
    assert.deepEqual(presetDates('today', today), { from: '2024-03-10', to: '2024-03-10' });
    assert.deepEqual(presetDates('yesterday', today), { from: '2024-03-09', to: '2024-03-09' });
    assert.deepEqual(presetDates('last_7_days', today), { from: '2024-03-04', to: '2024-03-10' });
    assert.deepEqual(presetDates('last_30_days', today), { from: '2024-02-10', to: '2024-03-10' });
    assert.deepEqual(presetDates('month_to_date', today), { from: '2024-03-01', to: '2024-03-10' });
    assert.deepEqual(presetDates('year_to_date', today), { from: '2024-01-01', to: '2024-03-10' });
    assert.deepEqual(presetDates('last_12_months', today), { from: '2023-03-11', to: '2024-03-10' });
    assert.equal(rangeDays(presetDates('last_90_days', today)), 90);
  });

  it('reads a custom range and comparison from the URL, and falls back to the default on bad input', () => {
    const custom = rangeFromParams(
      new URLSearchParams('from=2024-01-01&to=2024-01-31&compare=previous_year'),
      'UTC',
    );
    assert.deepEqual(custom, {
      preset: 'custom',
      from: '2024-01-01',
      to: '2024-01-31',
      compare: 'previous_year',
    });
    const reversed = rangeFromParams(
      new URLSearchParams('from=2024-02-01&to=2024-01-01&compare=bogus'),
      'UTC',
    );
    assert.equal(reversed.preset, 'last_30_days');
    assert.equal(reversed.compare, null);
    assert.equal(rangeDays(reversed), 30);
    assert.equal(rangeFromParams(new URLSearchParams('range=last_7_days'), 'UTC').preset, 'last_7_days');
  });

  it('picks a readable chart interval for the range length', () => {
    assert.equal(intervalFor({ from: '2024-01-01', to: '2024-01-31' }), 'day');
    assert.equal(intervalFor({ from: '2024-01-01', to: '2024-06-30' }), 'week');
    assert.equal(intervalFor({ from: '2022-01-01', to: '2024-06-30' }), 'month');
  });
});
