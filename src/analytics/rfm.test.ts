// Every combination of scores must land in exactly the segment of the documented grid, halves of
// (F + M) / 2 rounding up, and every segment must be reachable.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RFM_SEGMENTS, rfmSegment } from './rfm.ts';

describe('rfmSegment', () => {
  // The grid of src/analytics/rfm.ts: rows R = 5..1, columns FM = 1..5.
  const GRID = [
    ['new', 'promising', 'active', 'champions', 'champions'],
    ['promising', 'promising', 'active', 'loyal', 'loyal'],
    ['needs_attention', 'needs_attention', 'needs_attention', 'loyal', 'loyal'],
    ['almost_lost', 'almost_lost', 'at_risk', 'at_risk', 'previously_loyal'],
    ['dormant', 'dormant', 'at_risk', 'at_risk', 'previously_loyal'],
  ];

  it('maps R and FM = round((F + M) / 2) to the grid', () => {
    for (let recency = 1; recency <= 5; recency++) {
      for (let frequency = 1; frequency <= 5; frequency++) {
        for (let monetary = 1; monetary <= 5; monetary++) {
          const fm = Math.round((frequency + monetary) / 2);
          assert.equal(
            rfmSegment(recency, frequency, monetary),
            GRID[5 - recency]![fm - 1],
            `R${recency} F${frequency} M${monetary}`,
          );
        }
      }
    }
  });

  it('reaches every segment', () => {
    const reached = new Set<string>();
    for (let r = 1; r <= 5; r++) for (let fm = 1; fm <= 5; fm++) reached.add(rfmSegment(r, fm, fm));
    assert.deepEqual([...reached].sort(), [...RFM_SEGMENTS].sort());
  });
});
