import type { Database } from "@carebridge/db";
import { createLogger, type HttpApp } from "@carebridge/http";
import { createApp } from "./app.ts";
import { AUTH_DEFAULTS } from "./config.ts";
import { migrateAuth } from "./db/migrate.ts";
import { type AuthDeps, createAuthDeps } from "./deps.ts";
import { DEV_KEY_ENCRYPTION_KEY } from "./domain/key-encryption.ts";
import type { ThrottleOptions } from "./domain/login-throttle.ts";
import type { PasswordHasherOptions } from "./domain/password-hasher.ts";

/** An auth app over a migrated database, for tests. */
export async function buildTestApp(
  database: Database,
  hasher?: PasswordHasherOptions,
  throttle?: ThrottleOptions,
): Promise<{ app: HttpApp; deps: AuthDeps }> {
  await migrateAuth(database);
  const deps = await createAuthDeps({
    database,
    logger: createLogger({ service: "auth", level: "silent" }),
    keyEncryptionKey: DEV_KEY_ENCRYPTION_KEY,
    claims: { ...AUTH_DEFAULTS },
    hasher,
    throttle,
  });
  return { app: createApp(deps), deps };
}

/** A JSON POST. */
export function postJson(path: string, body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`http://localhost${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Session response body. */
export interface SessionBody {
  user: { id: string; email: string; name: string; role: string };
  accessToken: string;
  refreshToken: string;
}
