import { REDRIVE_GROUP_HEADER } from "./dlq.ts";
import type { ConsumedMessage } from "./port.ts";

/**
 * The records a consumer group is given: all, except those re-driven from the DLQ for another
 * group (a re-drive is for the group whose effect failed; the others applied the original).
 * Both adapters apply this, so plain consumers (e.g. the analytics window job) never count a
 * re-driven event twice.
 */
export function deliverableTo(groupId: string, messages: ConsumedMessage[]): ConsumedMessage[] {
  return messages.filter((m) => {
    const target = m.headers[REDRIVE_GROUP_HEADER];
    return target === undefined || target === groupId;
  });
}

/**
 * How many of `all` (a fetched run of one partition) may be committed when the handler was given
 * `visible` (its deliverable subset) and took `handled` of them (undefined: all of them).
 */
export function committableCount(
  all: ConsumedMessage[],
  visible: ConsumedMessage[],
  handled: number | void,
): number {
  const taken =
    handled === undefined ? visible.length : Math.max(0, Math.min(visible.length, Math.floor(handled)));
  if (taken >= visible.length) return all.length;
  return all.indexOf(visible[taken]!);
}
