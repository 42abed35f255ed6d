import type { Database } from "@carebridge/db";
import { findServiceClient, upsertServiceClient } from "../db/service-client-queries.ts";
import type { PasswordHasher } from "./password-hasher.ts";

/** A client id and its secret. */
export interface ServiceClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** The lab-results function's client in the local stacks (dev only, like the demo password). */
export const DEV_SERVICE_CLIENTS: readonly ServiceClientCredentials[] = [
  { clientId: "lab-results", clientSecret: "lab-results-dev-secret" },
];

/** Parses SERVICE_CLIENTS: `id:secret,id2:secret2`. */
export function parseServiceClients(value: string | undefined): ServiceClientCredentials[] {
  if (!value) return [];
  return value
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const at = entry.indexOf(":");
      if (at <= 0 || at === entry.length - 1) throw new Error("SERVICE_CLIENTS entries are id:secret");
      return { clientId: entry.slice(0, at), clientSecret: entry.slice(at + 1) };
    });
}

/** Stores each client whose secret is new or changed (hashing only then). */
export async function syncServiceClients(
  database: Database,
  hasher: PasswordHasher,
  clients: readonly ServiceClientCredentials[],
): Promise<void> {
  for (const client of clients) {
    const stored = await findServiceClient(database.db, client.clientId);
    if (stored && (await hasher.verify(client.clientSecret, stored.secretHash))) continue;
    await upsertServiceClient(database.db, client.clientId, await hasher.hash(client.clientSecret));
  }
}
