// Report ranges are calendar dates in the store's time zone; a bad range must be a 400 the client can fix,
// never a 500, and "today" must be the store's today, not the server's.
import assert from 'node:assert/strict';
import { afterEach, describe, it, mock } from 'node:test';

import { HttpError } from '../http/errors.ts';
import { MAX_DAYS, comparisonRange, rangeQuery, resolveRange, todayIn } from './range.ts';

/** Asserts that resolving `query` fails with HttpError 400 invalid_range. */
function assertInvalidRange(query: { from?: string; to?: string }, message: string) {
  assert.throws(
    () => resolveRange(query, 'UTC'),
    (error: unknown) => {
      assert.ok(error instanceof HttpError, `${message}: expected HttpError, got ${String(error)}`);
      assert.equal(error.statusCode, 400, message);
      assert.equal(error.code, 'invalid_range', message);
      return true;
    },
  );
}

describe('todayIn', () => {
  it('gives the calendar date in the time zone, across the date line', () => {
    const now = new Date('2025-01-01T03:00:00Z');
    assert.equal(todayIn('America/Los_Angeles', now), '2024-12-31');
    assert.equal(todayIn('UTC', now), '2025-01-01');
    assert.equal(todayIn('Asia/Tokyo', now), '2025-01-01');
  });

  it('cuts days at local midnight, including half-hour offsets', () => {
    // Asia/Kolkata is UTC+05:30: 18:29:59Z is 23:59:59 local, 18:30Z is the next day.
    assert.equal(todayIn('Asia/Kolkata', new Date('2025-03-09T18:29:59Z')), '2025-03-09');
    assert.equal(todayIn('Asia/Kolkata', new Date('2025-03-09T18:30:00Z')), '2025-03-10');
    // Pacific/Kiritimati (UTC+14) is already in tomorrow when Pacific/Pago_Pago (UTC-11) is in yesterday.
    const now = new Date('2025-06-15T12:00:00Z');
    assert.equal(todayIn('Pacific/Kiritimati', now), '2025-06-16');
    assert.equal(todayIn('Pacific/Pago_Pago', now), '2025-06-15');
  });

  it('follows daylight saving time', () => {
    // New York is UTC-4 in July and UTC-5 in January.
    assert.equal(todayIn('America/New_York', new Date('2025-07-02T03:30:00Z')), '2025-07-01');
    assert.equal(todayIn('America/New_York', new Date('2025-01-02T04:30:00Z')), '2025-01-01');
    assert.equal(todayIn('America/New_York', new Date('2025-01-02T05:30:00Z')), '2025-01-02');
  });

  it('writes YYYY-MM-DD with zero-padded month and day', () => {
    // The SQL and the date regex both expect this shape; a locale default would give "2/3/2025".
    assert.equal(todayIn('UTC', new Date('2025-02-03T12:00:00Z')), '2025-02-03');
  });
});

describe('resolveRange', () => {
  afterEach(() => mock.timers.reset());

  it('defaults to the 30 days ending today in the store time zone', () => {
    mock.timers.enable({ apis: ['Date'], now: new Date('2025-01-01T03:00:00Z') });
    assert.deepEqual(resolveRange({}, 'America/Los_Angeles'), {
      from: '2024-12-02',
      to: '2024-12-31',
      timezone: 'America/Los_Angeles',
    });
    assert.deepEqual(resolveRange({}, 'Asia/Tokyo'), {
      from: '2024-12-03',
      to: '2025-01-01',
      timezone: 'Asia/Tokyo',
    });
  });

  it('defaults `from` to 29 days before the given `to`, across month and leap days', () => {
    assert.deepEqual(resolveRange({ to: '2024-03-15' }, 'UTC'), {
      from: '2024-02-15',
      to: '2024-03-15',
      timezone: 'UTC',
    });
    assert.deepEqual(resolveRange({ to: '2025-03-15' }, 'UTC'), {
      from: '2025-02-14',
      to: '2025-03-15',
      timezone: 'UTC',
    });
  });

  it('defaults `to` to today when only `from` is given', () => {
    mock.timers.enable({ apis: ['Date'], now: new Date('2025-06-15T12:00:00Z') });
    assert.deepEqual(resolveRange({ from: '2025-06-01' }, 'Europe/Berlin'), {
      from: '2025-06-01',
      to: '2025-06-15',
      timezone: 'Europe/Berlin',
    });
  });

  it('accepts a single day and an explicit range as given', () => {
    assert.deepEqual(resolveRange({ from: '2025-01-05', to: '2025-01-05' }, 'UTC'), {
      from: '2025-01-05',
      to: '2025-01-05',
      timezone: 'UTC',
    });
    assert.deepEqual(resolveRange({ from: '2024-02-29', to: '2024-12-31' }, 'Asia/Tokyo'), {
      from: '2024-02-29',
      to: '2024-12-31',
      timezone: 'Asia/Tokyo',
    });
  });

  it('rejects `from` after `to` with 400 invalid_range', () => {
    assertInvalidRange({ from: '2025-01-02', to: '2025-01-01' }, 'one day backwards');
    assertInvalidRange({ from: '2026-01-01', to: '2025-12-31' }, 'across a year');
  });

  it('rejects dates that are not on the calendar', () => {
    assertInvalidRange({ from: '2025-02-30', to: '2025-03-05' }, '2025-02-30 as from');
    assertInvalidRange({ from: '2025-02-01', to: '2025-02-29' }, '2025-02-29 in a common year');
    assertInvalidRange({ from: '2025-04-31', to: '2025-05-01' }, '2025-04-31');
    assertInvalidRange({ from: '2025-01-00', to: '2025-01-05' }, 'day 0');
    assertInvalidRange({ from: '2025-13-01', to: '2025-12-31' }, 'month 13 as from');
    assertInvalidRange({ to: '2025-02-30' }, '2025-02-30 as to alone');
  });

  it('rejects an impossible `to` given alone with 400, not a crash', () => {
    assertInvalidRange({ to: '2025-13-01' }, 'month 13 as to alone');
  });

  it('accepts ten years and rejects ranges well beyond', () => {
    assert.equal(resolveRange({ from: '2015-01-01', to: '2024-12-31' }, 'UTC').from, '2015-01-01');
    assertInvalidRange({ from: '2015-01-01', to: '2025-02-01' }, 'ten years and a month');
    assertInvalidRange({ from: '2000-01-01', to: '2025-01-01' }, 'twenty-five years');
  });

  it('takes a longer limit for reports that allow one', () => {
    const query = { from: '2000-01-01', to: '2025-01-01' };
    assert.deepEqual(resolveRange(query, 'UTC', MAX_DAYS.month), { ...query, timezone: 'UTC' });
    assert.throws(
      () => resolveRange({ from: '1900-01-01', to: '2025-01-01' }, 'UTC', MAX_DAYS.month),
      HttpError,
    );
  });

  it('allows exactly maxDays between from and to, and not one more', () => {
    assert.equal(resolveRange({ from: '2025-01-01', to: '2025-01-08' }, 'UTC', 7).to, '2025-01-08');
    assert.throws(
      () => resolveRange({ from: '2025-01-01', to: '2025-01-09' }, 'UTC', 7),
      (error: unknown) =>
        error instanceof HttpError && error.code === 'invalid_range' && error.statusCode === 400,
    );
  });

  it('echoes the time zone it was given', () => {
    assert.equal(
      resolveRange({ from: '2025-01-01', to: '2025-01-31' }, 'Asia/Kolkata').timezone,
      'Asia/Kolkata',
    );
  });
});

describe('rangeQuery', () => {
  it('accepts YYYY-MM-DD dates and an empty query', () => {
    assert.deepEqual(rangeQuery.parse({}), {});
    assert.deepEqual(rangeQuery.parse({ from: '2025-01-01', to: '2025-01-31' }), {
      from: '2025-01-01',
      to: '2025-01-31',
    });
  });

  it('rejects other date shapes', () => {
    for (const value of ['2025-1-1', '20250101', '2025-01-01T00:00:00Z', '01/02/2025', '', ' 2025-01-01']) {
      assert.equal(rangeQuery.safeParse({ from: value }).success, false, JSON.stringify(value));
    }
  });
});

describe('comparisonRange', () => {
  it('takes the same number of days just before, or the same dates a year earlier', () => {
    const range = { from: '2025-03-01', to: '2025-03-31', timezone: 'UTC' };
    assert.deepEqual(comparisonRange(range, 'previous_period'), {
      from: '2025-01-29',
      to: '2025-02-28',
      timezone: 'UTC',
    });
    assert.deepEqual(comparisonRange(range, 'previous_year'), {
      from: '2024-03-01',
      to: '2024-03-31',
      timezone: 'UTC',
    });
  });

  it('maps 29 February to 28 February a year earlier', () => {
    const leap = { from: '2024-02-29', to: '2024-02-29', timezone: 'UTC' };
    assert.deepEqual(comparisonRange(leap, 'previous_year'), {
      from: '2023-02-28',
      to: '2023-02-28',
      timezone: 'UTC',
    });
  });
});
