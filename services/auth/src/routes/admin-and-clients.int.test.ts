import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { HttpApp } from "@carebridge/http";
import { createTestDatabase, type TestDatabase } from "@carebridge/testing";
import { sql } from "drizzle-orm";
import { seedDemoAccounts } from "../domain/seed-demo.ts";
import { syncServiceClients } from "../domain/service-clients.ts";
import { buildTestApp, postJson, type SessionBody } from "../test-support.ts";

let testDb: TestDatabase;
let app: HttpApp;
let adminToken: string;
let patientToken: string;

const loginToken = async (email: string) => {
  const res = await app.request(postJson("/api/auth/login", { email, password: "demo-password-1" }));
  return ((await res.json()) as SessionBody).accessToken;
};

beforeAll(async () => {
  testDb = await createTestDatabase({ migrate: false });
  const built = await buildTestApp(testDb.database);
  app = built.app;
  expect(await seedDemoAccounts(testDb.database, built.deps.hasher)).toBe(6);
  expect(await seedDemoAccounts(testDb.database, built.deps.hasher)).toBe(0);
  await syncServiceClients(testDb.database, built.deps.hasher, [
    { clientId: "lab-results", clientSecret: "s3cret-lab" },
  ]);
  adminToken = await loginToken("admin@example.com");
  patientToken = await loginToken("patient@example.com");
}, 60_000);
afterAll(() => testDb.drop());

const createUser = (token: string, body: unknown) =>
  app.request(postJson("/api/auth/users", body, { authorization: `Bearer ${token}` }));

describe("POST /api/auth/users", () => {
  test("an admin creates a doctor who can then sign in with that role", async () => {
    const res = await createUser(adminToken, {
      email: "New.Doc@example.com",
      password: "doctor-password-1",
      name: "Dr New",
      role: "doctor",
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as SessionBody).user).toMatchObject({
      email: "new.doc@example.com",
      role: "doctor",
    });
    const login = await app.request(
      postJson("/api/auth/login", { email: "new.doc@example.com", password: "doctor-password-1" }),
    );
    expect(((await login.json()) as SessionBody).user.role).toBe("doctor");
  });

  test("a patient gets 403, no token 401, and nothing is written", async () => {
    const body = { email: "sneaky@example.com", password: "sneaky-password-1", name: "S", role: "admin" };
    expect((await createUser(patientToken, body)).status).toBe(403);
    expect((await app.request(postJson("/api/auth/users", body))).status).toBe(401);
    const rows = await testDb.database.query(sql`SELECT 1 FROM users WHERE email = 'sneaky@example.com'`);
    expect(rows.length).toBe(0);
  });

  test("an unknown role is 400; a taken email 409", async () => {
    const base = { password: "some-password-1", name: "X" };
    expect((await createUser(adminToken, { ...base, email: "r@example.com", role: "service" })).status).toBe(
      400,
    );
    expect(
      (await createUser(adminToken, { ...base, email: "patient@example.com", role: "doctor" })).status,
    ).toBe(409);
  });
});

describe("POST /api/auth/token", () => {
  test("right secret → a token with role service that the verifier accepts", async () => {
    const res = await app.request(
      postJson("/api/auth/token", { clientId: "lab-results", clientSecret: "s3cret-lab" }),
    );
    expect(res.status).toBe(200);
    const { accessToken } = (await res.json()) as { accessToken: string };
    const payload = JSON.parse(Buffer.from(accessToken.split(".")[1] ?? "", "base64url").toString());
    expect(payload).toMatchObject({ sub: "lab-results", role: "service" });
  });

  test("wrong secret and unknown client → the same 401", async () => {
    const wrong = await app.request(
      postJson("/api/auth/token", { clientId: "lab-results", clientSecret: "nope" }),
    );
    const unknown = await app.request(
      postJson("/api/auth/token", { clientId: "ghost", clientSecret: "nope" }),
    );
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined });
    expect(strip(await wrong.json())).toEqual(strip(await unknown.json()));
  });

  test("the secret is stored hashed", async () => {
    const rows = await testDb.database.query<{ h: string }>(
      sql`SELECT secret_hash AS h FROM service_clients`,
    );
    expect(rows[0]?.h).toStartWith("$argon2id$");
  });
});
