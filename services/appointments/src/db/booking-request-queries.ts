import type { Executor } from "@carebridge/db";
import { eq, sql } from "drizzle-orm";
import { bookingRequests } from "./schema.ts";

/** A stored reply to a booking request. */
export interface StoredReply {
  replyType: "booking.confirmed" | "booking.rejected";
  reply: Record<string, unknown>;
}

/**
 * The reply already given to `requestId`, if any. Takes a transaction-scoped lock on the request id
 * first, so two transactions handling the same request (a rebalance) run one after the other.
 */
export async function lockAndFindReply(tx: Executor, requestId: string): Promise<StoredReply | undefined> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`booking-request/${requestId}`}, 0))`);
  const [row] = await tx
    .select({ replyType: bookingRequests.replyType, reply: bookingRequests.reply })
    .from(bookingRequests)
    .where(eq(bookingRequests.requestId, requestId));
  return row;
}

/** Stores the reply to `requestId`. */
export async function saveReply(
  tx: Executor,
  requestId: string,
  reply: StoredReply & { appointmentId: string | null },
): Promise<void> {
  await tx.insert(bookingRequests).values({ requestId, ...reply });
}
