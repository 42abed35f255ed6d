import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Database, openPglite } from "@carebridge/db";
import type { HttpApp, Role } from "@carebridge/http";
import type { TestIssuer } from "@carebridge/http/testing";
import type { Appointment } from "../domain/appointment.ts";
import { buildTestApp, call, seedDoctor, seedPatient, type TestClock } from "../test-support.ts";

// Who × which route × whose appointment. "mine" = the appointment's own patient / doctor.
type Actor =
  | "patient-own"
  | "patient-other"
  | "doctor-own"
  | "doctor-other"
  | "admin"
  | "analyst"
  | "service"
  | "anonymous";
const ACTORS: Actor[] = [
  "patient-own",
  "patient-other",
  "doctor-own",
  "doctor-other",
  "admin",
  "analyst",
  "service",
  "anonymous",
];

let database: Database;
let app: HttpApp;
let issuer: TestIssuer;
let clock: TestClock;
let doctorId: string;
let otherDoctorId: string;
let patientId: string;
let otherPatientId: string;
const tokens = {} as Record<Actor, string | null>;

beforeAll(async () => {
  database = await openPglite();
  ({ app, issuer, clock } = await buildTestApp(database));
  doctorId = await seedDoctor(database);
  otherDoctorId = await seedDoctor(database);
  patientId = await seedPatient(database);
  otherPatientId = await seedPatient(database);
  const sign = (sub: string, role: Role) => issuer.sign({ sub, role });
  tokens["patient-own"] = await sign(patientId, "patient");
  tokens["patient-other"] = await sign(otherPatientId, "patient");
  tokens["doctor-own"] = await sign(doctorId, "doctor");
  tokens["doctor-other"] = await sign(otherDoctorId, "doctor");
  tokens.admin = await sign(Bun.randomUUIDv7(), "admin");
  tokens.analyst = await sign(Bun.randomUUIDv7(), "analyst");
  tokens.service = await sign(Bun.randomUUIDv7(), "service");
  tokens.anonymous = null;
}, 30_000);
afterAll(() => database.close());

// Each case books its own appointment on a slot of its own (08:00Z … on successive weekdays).
let nextSlot = Date.parse("2026-11-23T08:00:00Z");
async function freshAppointment(): Promise<Appointment> {
  for (;;) {
    const start = new Date(nextSlot).toISOString().replace(".000Z", "Z");
    nextSlot += 30 * 60_000;
    const res = await app.request(
      call("POST", "/api/appointments", tokens["patient-own"], { doctorId, start, mode: "in-person" }),
    );
    if (res.status === 201) return (await res.json()) as Appointment;
    if (res.status !== 400) throw new Error(`booking failed: ${res.status}`);
  }
}

type Expect = Partial<Record<Actor, number>>;
const allowOnly = (allowed: Expect, deniedStatus: number, anonymous = 401): Record<Actor, number> =>
  Object.fromEntries(
    ACTORS.map((a) => [a, a === "anonymous" ? anonymous : (allowed[a] ?? deniedStatus)]),
  ) as Record<Actor, number>;

interface Case {
  route: string;
  request: (a: Appointment) => { method: string; path: string; body?: unknown };
  expected: Record<Actor, number>;
  afterStart?: boolean;
}

const PHI = { "patient-other": 404, "doctor-other": 404, analyst: 404, service: 404 };
const CASES: Case[] = [
  {
    route: "GET /appointments/{id}",
    request: (a) => ({ method: "GET", path: `/api/appointments/${a.id}` }),
    expected: allowOnly({ "patient-own": 200, "doctor-own": 200, admin: 200 }, 404),
  },
  {
    route: "GET /appointments/{id}/fhir",
    request: (a) => ({ method: "GET", path: `/api/appointments/${a.id}/fhir` }),
    expected: allowOnly({ "patient-own": 200, "doctor-own": 200, admin: 200 }, 404),
  },
  {
    route: "POST /appointments/{id}/cancel",
    request: (a) => ({ method: "POST", path: `/api/appointments/${a.id}/cancel`, body: { reason: "x" } }),
    expected: allowOnly({ "patient-own": 200, "doctor-own": 200, admin: 403, ...PHI }, 404),
  },
  {
    route: "POST /appointments/{id}/reschedule",
    request: () => ({
      method: "POST",
      path: "",
      body: undefined,
    }),
    expected: allowOnly({ "patient-own": 200, "doctor-own": 403, admin: 403, ...PHI }, 404),
  },
  {
    route: "POST /appointments/{id}/complete",
    request: (a) => ({ method: "POST", path: `/api/appointments/${a.id}/complete` }),
    expected: allowOnly({ "doctor-own": 200, "patient-own": 403, admin: 403, ...PHI }, 404),
    afterStart: true,
  },
  {
    route: "POST /appointments/{id}/no-show",
    request: (a) => ({ method: "POST", path: `/api/appointments/${a.id}/no-show` }),
    expected: allowOnly({ "doctor-own": 200, "patient-own": 403, admin: 403, ...PHI }, 404),
    afterStart: true,
  },
];
// Reschedule needs a free target slot per case: the next one on the grid.
CASES[3]!.request = (a) => ({
  method: "POST",
  path: `/api/appointments/${a.id}/reschedule`,
  body: { start: new Date(Date.parse(a.start) + 7 * 24 * 3_600_000).toISOString().replace(".000Z", "Z") },
});

describe("role × route × ownership on one appointment", () => {
  for (const c of CASES) {
    test.each(ACTORS)(`${c.route} as %s`, async (actor) => {
      const appointment = await freshAppointment();
      const { method, path, body } = c.request(appointment);
      const saved = clock.now;
      if (c.afterStart) clock.now = Date.parse(appointment.start) + 60_000;
      try {
        const res = await app.request(call(method, path, tokens[actor], body));
        expect(res.status).toBe(c.expected[actor]);
        if (res.status >= 400) expect(res.headers.get("content-type")).toBe("application/problem+json");
        // Denied callers changed nothing.
        const after = (await (
          await app.request(call("GET", `/api/appointments/${appointment.id}`, tokens.admin))
        ).json()) as Appointment;
        if (res.status !== 200 || method === "GET") expect(after).toEqual(appointment);
      } finally {
        clock.now = saved;
      }
    });
  }
});

describe("collection routes by role", () => {
  const ROUTES: Array<[string, (t: string | null) => Request, Record<Actor, number>]> = [
    ["GET /doctors", (t) => call("GET", "/api/doctors", t), allowOnly({}, 200)],
    [
      "GET /slots",
      (t) =>
        call(
          "GET",
          "/api/slots?specialty=General%20Practice&from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z",
          t,
        ),
      allowOnly({}, 200),
    ],
    [
      "GET /doctors/{id}/slots",
      (t) =>
        call("GET", `/api/doctors/${doctorId}/slots?from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z`, t),
      allowOnly({}, 200),
    ],
    [
      "PUT /doctors/{id} (the own doctor's id)",
      (t) =>
        call("PUT", `/api/doctors/${doctorId}`, t, {
          specialty: "General Practice",
          timeZone: "Europe/Berlin",
        }),
      allowOnly({ "doctor-own": 200, admin: 200 }, 403),
    ],
    [
      "PUT /doctors/me/availability",
      (t) =>
        call("PUT", "/api/doctors/me/availability", t, {
          timeZone: "Europe/Berlin",
          slotMinutes: 30,
          weekly: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "09:00", end: "17:00" })),
          exceptions: [],
        }),
      allowOnly({ "doctor-own": 200, "doctor-other": 200 }, 403),
    ],
    [
      "GET /appointments",
      (t) => call("GET", "/api/appointments", t),
      // The contract: "patient: own; doctor: own schedule". Admins read single appointments only.
      allowOnly({ "patient-own": 200, "patient-other": 200, "doctor-own": 200, "doctor-other": 200 }, 403),
    ],
  ];
  for (const [name, request, expected] of ROUTES) {
    test.each(ACTORS)(`${name} as %s`, async (actor) => {
      const res = await app.request(request(tokens[actor]));
      expect(res.status).toBe(expected[actor]);
    });
  }

  test("POST /appointments: patients for themselves, admins for a patient; nobody else; never for another patient", async () => {
    const start = () => {
      const s = new Date(nextSlot).toISOString().replace(".000Z", "Z");
      nextSlot += 30 * 60_000;
      return s;
    };
    const post = (actor: Actor, extra: Record<string, unknown> = {}) =>
      app.request(
        call("POST", "/api/appointments", tokens[actor], {
          doctorId,
          start: start(),
          mode: "in-person",
          ...extra,
        }),
      );
    for (const actor of ["doctor-own", "doctor-other", "analyst", "service"] as const) {
      expect((await post(actor, { patientId })).status).toBe(403);
    }
    expect((await post("anonymous")).status).toBe(401);
    expect((await post("patient-other", { patientId })).status).toBe(403);
  });

  test("lists never leak: another patient or doctor sees none of these appointments", async () => {
    const mine = await freshAppointment();
    for (const actor of ["patient-other", "doctor-other"] as const) {
      const { items } = (await (
        await app.request(call("GET", "/api/appointments?limit=200", tokens[actor]))
      ).json()) as {
        items: Appointment[];
      };
      expect(items.map((a) => a.id)).not.toContain(mine.id);
    }
  });
});
