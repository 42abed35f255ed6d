import type { Executor } from "@carebridge/db";
import { eq } from "drizzle-orm";
import { serviceClients } from "./schema.ts";

/** The client's stored secret hash. */
export async function findServiceClient(db: Executor, clientId: string) {
  const [row] = await db.select().from(serviceClients).where(eq(serviceClients.clientId, clientId));
  return row;
}

/** Creates the client, or replaces its secret hash. */
export async function upsertServiceClient(db: Executor, clientId: string, secretHash: string): Promise<void> {
  await db
    .insert(serviceClients)
    .values({ clientId, secretHash })
    .onConflictDoUpdate({ target: serviceClients.clientId, set: { secretHash } });
}
