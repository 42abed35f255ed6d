import { testKafkaBrokers } from "@carebridge/testing";
import { kafkaEventLog } from "./kafka-event-log.ts";
import { silentLogger } from "./logger.ts";
import { eventLogConformance } from "./testing/conformance.ts";

eventLogConformance("kafkajs on a real broker", async () =>
  kafkaEventLog({ brokers: await testKafkaBrokers(), clientId: "conformance", logger: silentLogger }),
);
