/**
 * `bun run auth:rotate-keys`: adds a new signing key (DATABASE_URL, AUTH_KEY_ENCRYPTION_KEY).
 * Running services pick it up within a minute; tokens signed with the previous key keep verifying.
 */
import { connectPostgres } from "@carebridge/db";
import { loadConfig } from "../config.ts";
import { migrateAuth } from "../db/migrate.ts";
import { importKeyEncryptionKey } from "../domain/key-encryption.ts";
import { rotateSigningKey } from "../domain/key-store.ts";

const config = loadConfig();
const database = await connectPostgres(config.DATABASE_URL, {
  max: 1,
  applicationName: "carebridge-auth-rotate",
});
try {
  await migrateAuth(database);
  const kid = await rotateSigningKey(database, await importKeyEncryptionKey(config.keyEncryptionKey));
  console.log(`new signing key ${kid}`);
} finally {
  await database.close();
}
