import type { Logger } from "./logger.ts";
import type { ConsumedMessage, EventLog } from "./port.ts";

/** The dead-letter twin of a topic (shared by its consuming groups; `dlq-group` tells them apart). */
export const dlqTopic = (topic: string) => `${topic}.dlq`;

/** Headers added to a dead-lettered record. */
export const DLQ_HEADERS = {
  group: "dlq-group",
  error: "dlq-error",
  errorType: "dlq-error-type",
  attempts: "dlq-attempts",
  topic: "dlq-original-topic",
  partition: "dlq-original-partition",
  offset: "dlq-original-offset",
  failedAt: "dlq-failed-at",
} as const;

/** A re-driven record carries the group it is for; other groups skip it. */
export const REDRIVE_GROUP_HEADER = "redrive-group";

const MAX_ERROR_LENGTH = 2_000;

/** Sends a record that could not be processed to `<topic>.dlq`, with the error in its headers. */
export async function deadLetter(
  log: EventLog,
  groupId: string,
  message: ConsumedMessage,
  failure: { error: string; errorType: string; attempts: number },
): Promise<void> {
  const headers = Object.fromEntries(
    Object.entries(message.headers).filter(([k]) => k !== REDRIVE_GROUP_HEADER && !k.startsWith("dlq-")),
  );
  await log.send([
    {
      topic: dlqTopic(message.topic),
      key: message.key,
      value: message.value,
      headers: {
        ...headers,
        [DLQ_HEADERS.group]: groupId,
        [DLQ_HEADERS.error]: failure.error.slice(0, MAX_ERROR_LENGTH),
        [DLQ_HEADERS.errorType]: failure.errorType,
        [DLQ_HEADERS.attempts]: String(failure.attempts),
        [DLQ_HEADERS.topic]: message.topic,
        [DLQ_HEADERS.partition]: String(message.partition),
        [DLQ_HEADERS.offset]: message.offset,
        [DLQ_HEADERS.failedAt]: new Date().toISOString(),
      },
    },
  ]);
}

/**
 * Re-drives one group's dead letters of a topic: every record in `<topic>.dlq` for that group, up
 * to the end of the DLQ as it is when called, goes back to its original topic under its
 * original key and event id, marked for that group only. Progress is committed (group
 * `<group>.redrive`), so running it twice does not re-drive twice. Returns how many it re-drove.
 */
export async function redriveDlq(options: {
  log: EventLog;
  topic: string;
  groupId: string;
  logger: Logger;
}): Promise<number> {
  const { log, topic, groupId, logger } = options;
  const source = dlqTopic(topic);
  const redriveGroup = `${groupId}.redrive`;
  const end = await log.endOffsets(source);
  const pending = async () => {
    const committed = await log.committedOffsets(redriveGroup, source);
    return [...end].some(([p, high]) => BigInt(committed.get(p) ?? "0") < BigInt(high));
  };
  if (!(await pending())) return 0;
  let count = 0;
  const consumer = await log.consume(
    { groupId: redriveGroup, topics: [source], fromBeginning: true },
    async (batch) => {
      // Only what was in the DLQ when the re-drive started: an event that fails again and comes
      // back is left for the next re-drive (taking it now would loop for as long as it fails).
      const limit = BigInt(end.get(batch.partition) ?? "0");
      const inRange = batch.messages.filter((m) => BigInt(m.offset) < limit);
      const records = inRange
        .filter((m) => m.headers[DLQ_HEADERS.group] === groupId)
        .map((m) => ({
          topic: m.headers[DLQ_HEADERS.topic] ?? topic,
          key: m.key,
          value: m.value,
          headers: {
            ...Object.fromEntries(Object.entries(m.headers).filter(([k]) => !k.startsWith("dlq-"))),
            [REDRIVE_GROUP_HEADER]: groupId,
          },
        }));
      await log.send(records);
      count += records.length;
      return inRange.length;
    },
  );
  try {
    const deadline = Date.now() + 120_000;
    while (await pending()) {
      if (Date.now() > deadline)
        throw new Error(`re-drive of ${source} for ${groupId} did not finish in 120 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await consumer.stop();
  }
  logger.info({ topic, groupId, count }, "DLQ re-driven");
  return count;
}
