import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { HttpApp } from "@carebridge/http";
import { createTestDatabase, type TestDatabase } from "@carebridge/testing";
import { sql } from "drizzle-orm";
import { buildTestApp, postJson, type SessionBody } from "../test-support.ts";

let testDb: TestDatabase;
let app: HttpApp;

beforeAll(async () => {
  testDb = await createTestDatabase({ migrate: false });
  ({ app } = await buildTestApp(testDb.database));
});
afterAll(() => testDb.drop());

const count = async (q: ReturnType<typeof sql>) =>
  Number((await testDb.database.query<{ n: string }>(q))[0]?.n ?? -1);
const register = (email: string, password = "correct-horse-1", name = "Rita") =>
  app.request(postJson("/api/auth/register", { email, password, name }));
const login = (email: string, password: string) =>
  app.request(postJson("/api/auth/login", { email, password }));
const refresh = (refreshToken: string) => app.request(postJson("/api/auth/refresh", { refreshToken }));
const me = (token: string) => app.request("/api/auth/me", { headers: { authorization: `Bearer ${token}` } });

describe("register", () => {
  test("creates a patient with a working session, lower-cased email, outbox and audit rows", async () => {
    const res = await register("Rita.Reg@Example.COM");
    expect(res.status).toBe(201);
    const body = (await res.json()) as SessionBody;
    expect(body.user).toMatchObject({ email: "rita.reg@example.com", name: "Rita", role: "patient" });
    expect((await me(body.accessToken)).status).toBe(200);
    expect(await (await me(body.accessToken)).json()).toEqual(body.user);
    const outbox = await testDb.database.query<{ payload: string; topic: string }>(
      sql`SELECT topic, payload::text AS payload FROM outbox`,
    );
    const event = outbox.find((row) => row.payload.includes(body.user.id));
    expect(event?.topic).toBe("auth.users");
    expect(event?.payload).toContain("rita.reg@example.com");
    expect(
      await count(
        sql`SELECT count(*) AS n FROM auth_audit WHERE action = 'user.created' AND user_id = ${body.user.id}`,
      ),
    ).toBe(1);
  });

  test("a duplicate email (any case) is 409", async () => {
    expect((await register("dup@example.com")).status).toBe(201);
    const res = await register("DUP@example.com");
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  test("a password under 10 characters is 400 and nothing is written", async () => {
    const before = await count(sql`SELECT count(*) AS n FROM users`);
    const res = await register("short@example.com", "123456789");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: Record<string, string> }).errors.password).toBeDefined();
    expect(await count(sql`SELECT count(*) AS n FROM users`)).toBe(before);
  });

  test.each([
    ["malformed JSON", '{"email": "x@example.com",'],
    ["wrong types", { email: 42, password: ["x"], name: true }],
    ["missing fields", { email: "missing@example.com" }],
    ["not an email", { email: "nope", password: "long-enough-1", name: "N" }],
    [
      "over 1 MiB",
      { email: "big@example.com", password: "long-enough-1", name: "x".repeat(1024 * 1024 + 10) },
    ],
  ])("%s → 4xx problem, nothing written", async (_label, body) => {
    const before = await count(sql`SELECT count(*) AS n FROM users`);
    const res = await app.request(postJson("/api/auth/register", body));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await count(sql`SELECT count(*) AS n FROM users`)).toBe(before);
  });
});

describe("login", () => {
  test("right password → session; wrong password and unknown email → identical 401", async () => {
    await register("lena@example.com", "lena-password-1");
    const ok = await login("LENA@example.com", "lena-password-1");
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as SessionBody).user.email).toBe("lena@example.com");

    const wrong = await login("lena@example.com", "not-her-password");
    const unknown = await login("nobody@example.com", "not-her-password");
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined });
    expect(strip(await wrong.json())).toEqual(strip(await unknown.json()));
    expect(
      await count(
        sql`SELECT count(*) AS n FROM auth_audit WHERE action = 'login.failed' AND email = 'nobody@example.com'`,
      ),
    ).toBe(1);
    expect(
      await count(
        sql`SELECT count(*) AS n FROM auth_audit WHERE action = 'login.succeeded' AND email = 'lena@example.com'`,
      ),
    ).toBe(1);
  });
});

describe("refresh", () => {
  test("rotates: the new pair works, the old refresh token is spent", async () => {
    const first = (await (await register("rot@example.com")).json()) as SessionBody;
    const res = await refresh(first.refreshToken);
    expect(res.status).toBe(200);
    const second = (await res.json()) as SessionBody;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await me(second.accessToken)).status).toBe(200);
    expect((await refresh(second.refreshToken)).status).toBe(200);
  });

  test("reusing a spent token → 401 and the whole family is revoked", async () => {
    const first = (await (await register("reuse@example.com")).json()) as SessionBody;
    const second = (await (await refresh(first.refreshToken)).json()) as SessionBody;
    expect((await refresh(first.refreshToken)).status).toBe(401);
    expect((await refresh(second.refreshToken)).status).toBe(401);
    expect(
      await count(
        sql`SELECT count(*) AS n FROM auth_audit WHERE action = 'token.reuse-detected' AND user_id = ${first.user.id}`,
      ),
    ).toBe(1);
  });

  test("two concurrent refreshes with one token: exactly one succeeds", async () => {
    const session = (await (await register("race@example.com")).json()) as SessionBody;
    const results = await Promise.all([refresh(session.refreshToken), refresh(session.refreshToken)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  test("an unknown token is 401", async () => {
    expect((await refresh("not-a-real-token")).status).toBe(401);
  });
});

describe("logout", () => {
  test("204, after which the refresh token no longer works", async () => {
    const session = (await (await register("bye@example.com")).json()) as SessionBody;
    const res = await app.request(postJson("/api/auth/logout", { refreshToken: session.refreshToken }));
    expect(res.status).toBe(204);
    expect((await refresh(session.refreshToken)).status).toBe(401);
  });
});

describe("jwks and audit", () => {
  test("publishes an Ed25519 key with a kid", async () => {
    const res = await app.request("/api/auth/.well-known/jwks.json");
    expect(res.status).toBe(200);
    const { keys } = (await res.json()) as { keys: Array<Record<string, string>> };
    expect(keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA" });
    expect(keys[0]?.kid).toBeString();
    expect(keys[0]?.d).toBeUndefined();
  });

  test("the audit table refuses UPDATE and DELETE", async () => {
    const before = await count(sql`SELECT count(*) AS n FROM auth_audit`);
    expect(before).toBeGreaterThan(0);
    await expect(testDb.database.query(sql`UPDATE auth_audit SET action = 'x'`)).rejects.toThrow();
    await expect(testDb.database.query(sql`DELETE FROM auth_audit`)).rejects.toThrow();
    expect(await count(sql`SELECT count(*) AS n FROM auth_audit WHERE action = 'x'`)).toBe(0);
    expect(await count(sql`SELECT count(*) AS n FROM auth_audit`)).toBe(before);
  });

  test("signing keys are stored encrypted", async () => {
    const rows = await testDb.database.query<{ enc: string }>(
      sql`SELECT private_key_encrypted AS enc FROM signing_keys`,
    );
    expect(rows.length).toBe(1);
    expect(rows[0]?.enc).not.toContain("PRIVATE KEY");
  });
});
