import { makeEvent } from "@carebridge/contracts";
import type { Executor } from "@carebridge/db";
import { enqueueEvents } from "@carebridge/kafka";
import { recordAudit } from "../db/audit.ts";
import { insertUser, type PublicUser } from "../db/user-queries.ts";

/** The `source` of events this service publishes. */
export const EVENT_SOURCE = "/carebridge/auth";

/** A user to create; `passwordHash` already argon2id. */
export interface NewUser {
  email: string;
  name: string;
  role: PublicUser["role"];
  passwordHash: string;
}

/**
 * Inserts the user (email lower-cased), its `user.registered` outbox row and an audit row: call it
 * inside a transaction so all three commit together. Throws a unique violation on a taken email.
 */
export async function createUser(tx: Executor, input: NewUser, createdBy?: string): Promise<PublicUser> {
  const user = await insertUser(tx, { ...input, id: Bun.randomUUIDv7(), email: input.email.toLowerCase() });
  await enqueueEvents(tx, [makeEvent("user.registered", user, { source: EVENT_SOURCE })]);
  await recordAudit(tx, {
    action: "user.created",
    userId: user.id,
    email: user.email,
    detail: { role: user.role, ...(createdBy ? { createdBy } : {}) },
  });
  return user;
}
