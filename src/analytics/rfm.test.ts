// RFM scores must be quintiles whatever the store's size, ties must share one score, and every pair of
// scores must land in exactly the segment of the documented grid.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RFM_SEGMENTS, quintileScore, rfmSegment } from './rfm.ts';

describe('quintileScore', () => {
  it('splits ranks into five equal fifths', () => {
    assert.deepEqual(
      Array.from({ length: 10 }, (_, i) => quintileScore(i + 1, 10)),
      [1, 1, 2, 2, 3, 3, 4, 4, 5, 5],
    );
  });

  it('stays within 1..5 for any store size, a lone customer scoring 1', () => {
    assert.equal(quintileScore(1, 1), 1);
    assert.deepEqual(
      [1, 2, 3].map((rank) => quintileScore(rank, 3)),
      [1, 2, 4],
    );
    for (const count of [1, 2, 7, 13, 1000]) {
      for (let rank = 1; rank <= count; rank++) {
        const score = quintileScore(rank, count);
        assert.ok(score >= 1 && score <= 5, `rank ${rank} of ${count}: ${score}`);
      }
    }
  });
});

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
