import { TOPIC, userRegisteredV1 } from "@carebridge/contracts";
import type { Database } from "@carebridge/db";
import { type ConsumerHandle, type EventLog, startIdempotentConsumer } from "@carebridge/kafka";
import type { Logger } from "pino";
import { insertDoctor, insertPatient } from "../db/doctor-queries.ts";
import { completeDemoDoctor } from "../domain/seed-demo.ts";

/** Consumer group learning doctors and patients from `auth.users`. */
export const USERS_GROUP = "appointments.users";

/**
 * Learns doctors (no specialty yet: not bookable until PUT /doctors/{id}) and patients (so that
 * bookings for a `patientId` can be checked) from `user.registered`, once per event. With
 * `seedDemo`, a demo doctor gets the contract's specialty, time zone and hours when first learned.
 */
export function startUserConsumer(options: {
  database: Database;
  log: EventLog;
  logger: Logger;
  fromBeginning?: boolean;
  seedDemo?: boolean;
}): Promise<ConsumerHandle> {
  return startIdempotentConsumer({
    groupId: USERS_GROUP,
    topics: [TOPIC.authUsers],
    log: options.log,
    database: options.database,
    logger: options.logger,
    fromBeginning: options.fromBeginning ?? true,
    async handle(tx, event) {
      if (event.type !== "user.registered") return;
      const user = userRegisteredV1.parse(event.data);
      if (user.role === "doctor") {
        const inserted = await insertDoctor(tx, { id: user.id, name: user.name, email: user.email });
        if (inserted && options.seedDemo) await completeDemoDoctor(tx, user);
      } else if (user.role === "patient") await insertPatient(tx, { id: user.id, name: user.name });
    },
  });
}
