import type { Database } from "@carebridge/db";
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from "@carebridge/runtime";
import { sql } from "drizzle-orm";
import { findUserByEmail } from "../db/user-queries.ts";
import type { PasswordHasher } from "./password-hasher.ts";
import { createUser } from "./users.ts";

/** Creates the contract's demo accounts that do not exist yet (idempotent); returns how many. */
export async function seedDemoAccounts(database: Database, hasher: PasswordHasher): Promise<number> {
  let created = 0;
  for (const account of DEMO_ACCOUNTS) {
    if (await findUserByEmail(database.db, account.email)) continue;
    const passwordHash = await hasher.hash(DEMO_PASSWORD);
    await database.transaction(async (tx) => {
      await database.query(sql`SELECT pg_advisory_xact_lock(hashtext('carebridge.auth.seed'))`, tx);
      if (await findUserByEmail(tx, account.email)) return;
      await createUser(tx, { email: account.email, name: account.name, role: account.role, passwordHash });
      created++;
    });
  }
  return created;
}
