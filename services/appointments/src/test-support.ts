import type { Database } from "@carebridge/db";
import { createLogger, type HttpApp } from "@carebridge/http";
import { createTestIssuer, type TestIssuer } from "@carebridge/http/testing";
import { createApp } from "./app.ts";
import { insertDoctor, insertPatient, updateAvailability, updateDoctorProfile } from "./db/doctor-queries.ts";
import { migrateAppointments } from "./db/migrate.ts";
import { type AppointmentsDeps, createAppointmentsDeps } from "./deps.ts";
import type { Availability } from "./domain/availability.ts";

/** A movable clock for tests. */
export interface TestClock {
  now: number;
  (): number;
}

/** A clock standing at `iso` until moved (`clock.now = …`). */
export function testClock(iso: string): TestClock {
  const clock = (() => clock.now) as TestClock;
  clock.now = Date.parse(iso);
  return clock;
}

/** An appointments app over a migrated database, with a test token issuer and clock. */
export async function buildTestApp(
  database: Database,
  clock: TestClock = testClock("2026-11-20T08:00:00Z"),
): Promise<{ app: HttpApp; deps: AppointmentsDeps; issuer: TestIssuer; clock: TestClock }> {
  await migrateAppointments(database);
  const issuer = await createTestIssuer();
  const deps = createAppointmentsDeps({
    database,
    logger: createLogger({ service: "appointments", level: "silent" }),
    keys: issuer.keys,
    clock,
  });
  return { app: createApp(deps), deps, issuer, clock };
}

/** Mon–Fri 09:00–17:00 Europe/Berlin, 30-minute slots. */
export const BERLIN_WEEKDAYS: Availability = {
  timeZone: "Europe/Berlin",
  slotMinutes: 30,
  weekly: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "09:00", end: "17:00" })),
  exceptions: [],
};

/** Inserts a bookable doctor (as `user.registered` + PUT would); returns its id. */
export async function seedDoctor(
  database: Database,
  options: { specialty?: string | null; availability?: Availability; name?: string } = {},
): Promise<string> {
  const id = Bun.randomUUIDv7();
  const availability = options.availability ?? BERLIN_WEEKDAYS;
  await insertDoctor(database.db, {
    id,
    name: options.name ?? `Dr. ${id.slice(-4)}`,
    email: `${id}@example.com`,
  });
  await updateAvailability(database.db, id, availability);
  if (options.specialty !== null) {
    await updateDoctorProfile(database.db, id, {
      specialty: options.specialty ?? "General Practice",
      timeZone: availability.timeZone,
    });
  }
  return id;
}

/** Inserts a known patient; returns its id. */
export async function seedPatient(database: Database): Promise<string> {
  const id = Bun.randomUUIDv7();
  await insertPatient(database.db, { id, name: "Pat" });
  return id;
}

/** A request with a bearer token and optional JSON body. */
export function call(
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
  headers: Record<string, string> = {},
): Request {
  return new Request(`http://localhost${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}
