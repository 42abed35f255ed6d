import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { HttpApp } from "@carebridge/http";
import { createTestDatabase, type TestDatabase } from "@carebridge/testing";
import { buildTestApp, postJson } from "../test-support.ts";

let testDb: TestDatabase;
let app: HttpApp;
const WINDOW_SECONDS = 2;

beforeAll(async () => {
  testDb = await createTestDatabase({ migrate: false });
  ({ app } = await buildTestApp(testDb.database, undefined, {
    account: { limit: 3, windowSeconds: WINDOW_SECONDS },
    address: { limit: 5, windowSeconds: WINDOW_SECONDS },
  }));
  for (const email of ["owner@example.com", "attacker@example.com"]) {
    const res = await app.request(
      postJson("/api/auth/register", { email, password: "right-password-1", name: "N" }),
    );
    expect(res.status).toBe(201);
  }
}, 30_000);
afterAll(() => testDb.drop());

const login = (email: string, password: string, ip: string) =>
  app.request(postJson("/api/auth/login", { email, password }, { "x-forwarded-for": `${ip}, 10.9.9.9` }));

describe("login throttling", () => {
  test("an account past its limit from one address gets 429 + Retry-After there, only for the window; the owner elsewhere signs in", async () => {
    const attacker = "1.1.1.1";
    for (let i = 0; i < 3; i++) {
      expect((await login("owner@example.com", "wrong-password", attacker)).status).toBe(401);
    }
    // Hammering while locked is refused without being counted, so it cannot extend the lock.
    for (let i = 0; i < 5; i++) {
      expect((await login("owner@example.com", "wrong-password", attacker)).status).toBe(429);
    }
    const locked = await login("owner@example.com", "right-password-1", attacker);
    expect(locked.status).toBe(429); // even the right password, from that address
    const retryAfter = Number(locked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(locked.headers.get("content-type")).toBe("application/problem+json");

    // The real owner, from their own address, is not locked out at all.
    expect((await login("owner@example.com", "right-password-1", "5.5.5.5")).status).toBe(200);

    await Bun.sleep(WINDOW_SECONDS * 1000 + 200);
    expect((await login("owner@example.com", "right-password-1", attacker)).status).toBe(200);
  });

  test("an address past its limit gets 429; a successful login in between does not reset it", async () => {
    const ip = "66.66.66.66";
    const targets = ["a@example.com", "b@example.com", "c@example.com", "d@example.com"];
    for (const email of targets) expect((await login(email, "guess-guess-1", ip)).status).toBe(401);
    expect((await login("attacker@example.com", "right-password-1", ip)).status).toBe(200);
    expect((await login("e@example.com", "guess-guess-1", ip)).status).toBe(401);
    const blocked = await login("f@example.com", "guess-guess-1", ip);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // Other addresses are unaffected.
    expect((await login("attacker@example.com", "right-password-1", "77.77.77.77")).status).toBe(200);
  });
});
