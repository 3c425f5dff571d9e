// Rates, averages and deltas are decimal: no float noise, no division by zero, null where there is no base.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { average, deltas, percent } from './compare.ts';

describe('percent', () => {
  it('gives 2 decimals, rounding half up, and null over zero', () => {
    assert.equal(percent(2, 3), '66.67');
    assert.equal(percent(1, 8), '12.50');
    assert.equal(percent(0, 5), '0.00');
    assert.equal(percent(3, 0), null);
  });
});

describe('average', () => {
  it('divides money without float error and is 0.00 over nothing', () => {
    assert.equal(average('0.30', 3), '0.10');
    assert.equal(average('170.00', 3), '56.67');
    assert.equal(average('10.00', 0), '0.00');
  });
});

describe('deltas', () => {
  it('gives the change and the percent change of each field', () => {
    const result = deltas(
      { orders: 3, netSales: '63.00', rate: '50.00' },
      { orders: 1, netSales: '84.00', rate: '0.00' },
      ['orders', 'netSales', 'rate'],
    );
    assert.deepEqual(result, {
      orders: { change: '2', percent: '200.0' },
      netSales: { change: '-21', percent: '-25.0' },
      rate: { change: '50', percent: null },
    });
  });

  it('counts a missing figure as zero, without a percent against it', () => {
    assert.deepEqual(deltas({ rate: '40.00' }, { rate: null }, ['rate']), {
      rate: { change: '40', percent: null },
    });
    assert.deepEqual(deltas({ rate: null }, { rate: '40.00' }, ['rate']), {
      rate: { change: '-40', percent: '-100.0' },
    });
    assert.deepEqual(deltas({ rate: null }, { rate: null }, ['rate']), {
      rate: { change: '0', percent: null },
    });
  });
});
