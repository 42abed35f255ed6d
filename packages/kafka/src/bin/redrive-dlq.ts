/**
 * Re-drives a consumer group's dead letters of a topic back to the topic.
 *
 *   bun run dlq:redrive --topic appointments --group billing
 *
 * Env: KAFKA_BROKERS (default 127.0.0.1:9092, the `bun run dev:real` broker).
 */
import { parseArgs } from "node:util";
import { redriveDlq } from "../dlq.ts";
import { kafkaEventLog, parseBrokers } from "../kafka-event-log.ts";
import type { Logger } from "../logger.ts";

const { values } = parseArgs({
  options: { topic: { type: "string" }, group: { type: "string" }, help: { type: "boolean", short: "h" } },
});
if (values.help || !values.topic || !values.group) {
  console.error("usage: bun run dlq:redrive --topic <topic> --group <consumer group>   (env KAFKA_BROKERS)");
  process.exit(values.help ? 0 : 2);
}
const print = (level: string) => (obj: Record<string, unknown>, msg?: string) => {
  if (level !== "debug") console.error(`${level}: ${msg ?? ""} ${JSON.stringify(obj)}`);
};
const logger: Logger = {
  error: print("error"),
  warn: print("warn"),
  info: print("info"),
  debug: print("debug"),
};
const log = kafkaEventLog({
  brokers: parseBrokers(process.env.KAFKA_BROKERS ?? "127.0.0.1:9092"),
  clientId: "dlq-redrive",
  logger,
});
try {
  const count = await redriveDlq({ log, topic: values.topic, groupId: values.group, logger });
  console.log(`re-drove ${count} dead letter(s) of ${values.topic}.dlq for group ${values.group}`);
} finally {
  await log.close();
}
