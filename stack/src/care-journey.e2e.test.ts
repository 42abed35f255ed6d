/**
 * One patient's journey through every service of the embedded stack (`bun run dev`), over HTTP
 * only, as the portal would drive it: register → profile from `user.registered` → insurance →
 * book → invoice priced with that plan → the doctor reads the chart → pay → lab PDF uploaded with
 * the presigned URL → flagged result and alert → cancellation voids the second invoice.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { DEMO_PASSWORD } from "@carebridge/runtime";
import pino from "pino";
import { type EmbeddedStack, startEmbeddedStack } from "./dev-embedded.ts";

let stack: EmbeddedStack;
beforeAll(async () => {
  stack = await startEmbeddedStack({ port: 0, logger: pino({ level: "silent" }) });
}, 120_000);
afterAll(() => stack?.stop());

type Json = Record<string, any>;

async function call(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${stack.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {}, headers: res.headers };
}

/** Polls until `probe` returns a value (asynchronous effects travel through the event log). */
async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

async function login(email: string, password = DEMO_PASSWORD): Promise<string> {
  const res = await call("POST", "/api/auth/login", { body: { email, password } });
  expect(res.status).toBe(200);
  return res.body.accessToken as string;
}

describe("a patient's journey through the embedded stack", () => {
  const email = `journey-${crypto.randomUUID().slice(0, 8)}@example.com`;
  let patientToken = "";
  let patientId = "";
  let doctorToken = "";
  let doctorId = "";
  let appointment: Json = {};

  test("every service is mounted and healthy", async () => {
    const health = await call("GET", "/api/health");
    expect(health.status).toBe(200);
    for (const name of ["auth", "patients", "appointments", "billing"]) {
      expect(health.body.components[`service:${name}`]).toMatchObject({ status: "up" });
    }
    expect(health.body.components["function:lab-results"]).toMatchObject({ status: "up" });
  });

  test("registering creates the patient record (plan none), and the patient picks plan plus", async () => {
    const registered = await call("POST", "/api/auth/register", {
      body: { email, password: "journey-password-1", name: "Jo Urney" },
    });
    expect(registered.status).toBe(201);
    patientToken = registered.body.accessToken;
    patientId = registered.body.user.id;
    const me = await eventually(async () => {
      const res = await call("GET", "/api/patients/me", { token: patientToken });
      return res.status === 200 ? res : undefined;
    }, "the patient record");
    expect(me.body).toMatchObject({ id: patientId, email, insurance: { planId: "none" } });

    const noVersion = await call("PATCH", "/api/patients/me", {
      token: patientToken,
      body: { insurance: { planId: "plus", memberId: "PLUS-1" } },
    });
    expect(noVersion.status).toBe(428);
    const patched = await call("PATCH", "/api/patients/me", {
      token: patientToken,
      body: { insurance: { planId: "plus", memberId: "PLUS-1" } },
      headers: { "if-match": String(me.body.version) },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.insurance).toEqual({ planId: "plus", memberId: "PLUS-1" });
  });

  test("the patient finds a General Practice slot and books it; the invoice uses plan plus", async () => {
    doctorToken = await login("doctor.general@example.com");
    const doctors = await eventually(async () => {
      const res = await call("GET", "/api/doctors?specialty=General%20Practice", { token: patientToken });
      return res.body.items?.length ? res.body.items : undefined;
    }, "the demo doctor");
    doctorId = doctors[0].id;
    const from = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const to = new Date(Date.now() + 10 * 86_400_000).toISOString();
    const slots = await call(
      "GET",
      `/api/slots?specialty=General%20Practice&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
      { token: patientToken },
    );
    expect(slots.status).toBe(200);
    const slot = slots.body.items.find((s: Json) => s.doctorId === doctorId);
    expect(slot).toBeDefined();

    // billing must have learned plan plus before the booking (event-carried state).
    await Bun.sleep(500);
    const key = crypto.randomUUID();
    const booked = await call("POST", "/api/appointments", {
      token: patientToken,
      body: { doctorId, start: slot.start, mode: "in-person", reason: "check-up" },
      headers: { "idempotency-key": key },
    });
    expect(booked.status).toBe(201);
    appointment = booked.body;
    expect(appointment).toMatchObject({ patientId, doctorId, status: "booked", specialty: "General Practice" });
    const replay = await call("POST", "/api/appointments", {
      token: patientToken,
      body: { doctorId, start: slot.start, mode: "in-person", reason: "check-up" },
      headers: { "idempotency-key": key },
    });
    expect(replay.body.id).toBe(appointment.id);

    const invoice = await eventually(async () => {
      const res = await call("GET", "/api/invoices", { token: patientToken });
      return res.body.items?.find((i: Json) => i.appointmentId === appointment.id);
    }, "the invoice");
    // General Practice in person 8000; plan plus: copay 1000, 80% of 7000 covered.
    expect(invoice).toMatchObject({
      patientId,
      status: "open",
      currency: "EUR",
      totalCents: 8000,
      insuranceCoveredCents: 5600,
      patientDueCents: 2400,
      paidCents: 0,
    });

    const wrong = await call("POST", `/api/invoices/${invoice.id}/pay`, {
      token: patientToken,
      body: { amountCents: 2399, method: "card" },
      headers: { "idempotency-key": crypto.randomUUID() },
    });
    expect(wrong.status).toBe(400);
    const paid = await call("POST", `/api/invoices/${invoice.id}/pay`, {
      token: patientToken,
      body: { amountCents: 2400, method: "card" },
      headers: { "idempotency-key": crypto.randomUUID() },
    });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ status: "paid", paidCents: 2400 });
  });

  test("the doctor with the booking reads the chart; another doctor may not", async () => {
    const chart = await eventually(async () => {
      const res = await call("GET", `/api/patients/${patientId}`, { token: doctorToken });
      return res.status === 200 ? res : undefined;
    }, "care-team access");
    expect(chart.body).toMatchObject({ id: patientId, email });
    const stranger = await login("doctor.dermatology@example.com");
    const denied = await call("GET", `/api/patients/${patientId}`, { token: stranger });
    expect([403, 404]).toContain(denied.status);
  });

  test("an uploaded lab PDF becomes a flagged result, an alert for the doctor, and FHIR", async () => {
    const { renderLabReportPdf } = await import("../../functions/lab-results/src/sample-pdfs.ts");
    const pdf = await renderLabReportPdf({
      patientId,
      collectedAt: "2026-11-20T08:30:00Z",
      lines: ["Hemoglobin 13.5 g/dL 12.0-16.0", "Glucose (fasting) 180 mg/dL 70-99 H"],
    });
    const upload = await call("POST", `/api/patients/${patientId}/lab-reports`, {
      token: patientToken,
      body: { fileName: "labs.pdf", contentType: "application/pdf" },
    });
    expect(upload.status).toBe(201);
    const put = await fetch(upload.body.uploadUrl, {
      method: "PUT",
      headers: { "content-type": "application/pdf" },
      body: pdf,
    });
    expect(put.status).toBe(200);

    const result = await eventually(async () => {
      const res = await call("GET", `/api/patients/${patientId}/lab-results`, { token: patientToken });
      return res.body.items?.find((r: Json) => r.reportId === upload.body.reportId);
    }, "the lab result");
    const glucose = result.analytes.find((a: Json) => a.name === "Glucose (fasting)");
    expect(glucose).toMatchObject({ value: 180, unit: "mg/dL", refLow: 70, refHigh: 99, flag: "H" });

    // 180 > 1.5 × 99 → critical.
    const alert = await eventually(async () => {
      const res = await call("GET", "/api/patients/alerts?status=open", { token: doctorToken });
      return res.body.items?.find((a: Json) => a.labResultId === result.id);
    }, "the alert");
    expect(alert).toMatchObject({ patientId, severity: "critical", status: "open" });
    const ack = await call("POST", `/api/patients/alerts/${alert.id}/acknowledge`, { token: doctorToken });
    expect(ack.status).toBe(200);
    expect(ack.body.status).toBe("acknowledged");

    const fhir = await call("GET", `/api/patients/${patientId}/fhir`, { token: doctorToken });
    expect(fhir.status).toBe(200);
    expect(fhir.body).toMatchObject({ resourceType: "Bundle", type: "collection" });
    const types = fhir.body.entry.map((e: Json) => e.resource.resourceType);
    expect(types).toContain("Patient");
    expect(types).toContain("Observation");
    expect(types).toContain("DiagnosticReport");
  });

  test("a second booking cancelled days ahead voids its invoice", async () => {
    const from = new Date(Date.now() + 12 * 86_400_000).toISOString();
    const to = new Date(Date.now() + 19 * 86_400_000).toISOString();
    const slots = await call(
      "GET",
      `/api/doctors/${doctorId}/slots?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
      { token: patientToken },
    );
    const slot = slots.body.items.find((s: Json) => s.available);
    const booked = await call("POST", "/api/appointments", {
      token: patientToken,
      body: { doctorId, start: slot.start, mode: "telehealth" },
      headers: { "idempotency-key": crypto.randomUUID() },
    });
    expect(booked.status).toBe(201);
    await eventually(async () => {
      const res = await call("GET", "/api/invoices", { token: patientToken });
      return res.body.items?.find((i: Json) => i.appointmentId === booked.body.id);
    }, "the second invoice");
    const cancelled = await call("POST", `/api/appointments/${booked.body.id}/cancel`, {
      token: patientToken,
      body: { reason: "feeling better" },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe("cancelled");
    const voided = await eventually(async () => {
      const res = await call("GET", "/api/invoices?status=void", { token: patientToken });
      return res.body.items?.find((i: Json) => i.appointmentId === booked.body.id);
    }, "the voided invoice");
    // Telehealth General Practice: 80% of 8000.
    expect(voided).toMatchObject({ status: "void", totalCents: 6400 });
  });
});
