/**
 * Daily rollups (daily_sales, daily_product_sales, customer_stats), maintained in the same transaction as
 * the entity writes of a batch. Placeholder: the maintenance is being written.
 */
import type { Queryable } from '../db/client.ts';
import type { BatchWrites } from '../ingest/pipeline.ts';

/** What a batch is about to change, captured before its writes; `finish` refreshes the affected rollups. */
export class RollupChange {
  /** Reads the stored state the batch will change. Call before any of the batch's writes. */
  static async begin(_tx: Queryable, _writes: BatchWrites): Promise<RollupChange> {
    return new RollupChange();
  }

  /** Refreshes the rollups the batch affected. Call after all of the batch's writes, in the same transaction. */
  async finish(_tx: Queryable): Promise<void> {}
}
