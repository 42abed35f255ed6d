import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { HttpApp } from "@carebridge/http";
import { createTestDatabase, type TestDatabase } from "@carebridge/testing";
import { sql } from "drizzle-orm";
import type { AuthDeps } from "../deps.ts";
import { buildTestApp, postJson, type SessionBody } from "../test-support.ts";
import { DEV_KEY_ENCRYPTION_KEY, importKeyEncryptionKey } from "./key-encryption.ts";
import { rotateSigningKey } from "./key-store.ts";

let testDb: TestDatabase;
let app: HttpApp;
let deps: AuthDeps;

beforeAll(async () => {
  testDb = await createTestDatabase({ migrate: false });
  ({ app, deps } = await buildTestApp(testDb.database));
}, 30_000);
afterAll(() => testDb.drop());

const me = (token: string) => app.request("/api/auth/me", { headers: { authorization: `Bearer ${token}` } });
const kidOf = (token: string) =>
  JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString()).kid;
const jwksKids = async () =>
  (
    (await (await app.request("/api/auth/.well-known/jwks.json")).json()) as { keys: Array<{ kid: string }> }
  ).keys.map((k) => k.kid);

describe("signing key rotation", () => {
  test("a token signed before rotation still verifies; new tokens use the new key; two rotations retire the oldest", async () => {
    const res = await app.request(
      postJson("/api/auth/register", { email: "k@example.com", password: "key-password-1", name: "K" }),
    );
    const before = (await res.json()) as SessionBody;
    const kek = await importKeyEncryptionKey(DEV_KEY_ENCRYPTION_KEY);

    const second = await rotateSigningKey(testDb.database, kek);
    await deps.keys.reload();
    expect(await jwksKids()).toEqual([second, kidOf(before.accessToken)]);
    expect((await me(before.accessToken)).status).toBe(200);
    const login = await app.request(
      postJson("/api/auth/login", { email: "k@example.com", password: "key-password-1" }),
    );
    const after = (await login.json()) as SessionBody;
    expect(kidOf(after.accessToken)).toBe(second);
    expect((await me(after.accessToken)).status).toBe(200);

    const third = await rotateSigningKey(testDb.database, kek);
    await deps.keys.reload();
    expect(await jwksKids()).toEqual([third, second]);
    expect((await me(before.accessToken)).status).toBe(401);
    expect((await me(after.accessToken)).status).toBe(200);
    const audited = await testDb.database.query(sql`SELECT 1 FROM auth_audit WHERE action = 'key.created'`);
    expect(audited.length).toBe(3);
  });
});
