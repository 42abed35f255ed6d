import type { Database } from "@carebridge/db";
import type { ConsumerHandle, EventLog } from "@carebridge/kafka";
import type { Logger } from "pino";
import type { Clock } from "../deps.ts";
import { startBookingRequestConsumer } from "./booking-request-consumer.ts";
import { startUserConsumer } from "./user-consumer.ts";

/** Starts every consumer of the service; stop() stops them all. */
export async function startConsumers(options: {
  database: Database;
  log: EventLog;
  logger: Logger;
  clock: Clock;
  seedDemo: boolean;
}): Promise<{ stop(): Promise<void> }> {
  const handles: ConsumerHandle[] = [];
  try {
    handles.push(await startUserConsumer(options));
    handles.push(await startBookingRequestConsumer(options));
  } catch (error) {
    await Promise.all(handles.map((h) => h.stop()));
    throw error;
  }
  return { stop: async () => void (await Promise.all(handles.map((h) => h.stop()))) };
}
