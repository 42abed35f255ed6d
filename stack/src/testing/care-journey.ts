/**
 * One patient's journey through every service, over HTTP only, as the portal would drive it:
 * register → profile from `user.registered` → insurance → book → invoice priced with that plan →
 * the doctor reads the chart → pay → lab PDF uploaded with the presigned URL → flagged result and
 * alert → FHIR → a cancellation days ahead voids the second invoice. Runs against the embedded
 * stack (care-journey.e2e.test.ts) and against `bun run dev:real` (real-stack.int.test.ts).
 */
import { expect } from "bun:test";
import { DEMO_PASSWORD } from "@carebridge/runtime";
import { renderLabReportPdf } from "../../../functions/lab-results/src/sample-pdfs.ts";

// biome-ignore lint/suspicious/noExplicitAny: responses are checked field by field with expect
type Json = Record<string, any>;

/** Runs the journey; `timeoutMs` bounds each wait for an asynchronous effect (events, the S3 trigger). */
export async function runCareJourney(baseUrl: string, options: { timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 15_000;

  async function call(
    method: string,
    path: string,
    init: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: Json }> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {} };
  }

  /** Polls until `probe` returns a value: effects travel through the event log. */
  async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await Bun.sleep(50);
    }
  }

  async function step(name: string, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      throw new Error(`care journey, step "${name}": ${error instanceof Error ? error.message : error}`);
    }
  }

  const login = async (email: string) => {
    const res = await call("POST", "/api/auth/login", { body: { email, password: DEMO_PASSWORD } });
    expect(res.status).toBe(200);
    return res.body.accessToken as string;
  };
  const range = (fromDays: number, toDays: number) =>
    `from=${encodeURIComponent(new Date(Date.now() + fromDays * 86_400_000).toISOString())}` +
    `&to=${encodeURIComponent(new Date(Date.now() + toDays * 86_400_000).toISOString())}`;
  const invoiceOf = (token: string, appointmentId: string, status?: string) =>
    eventually(`the invoice of ${appointmentId}`, async () => {
      const res = await call("GET", `/api/invoices${status ? `?status=${status}` : ""}`, { token });
      return res.body.items?.find((i: Json) => i.appointmentId === appointmentId) as Json | undefined;
    });

  const email = `journey-${crypto.randomUUID().slice(0, 8)}@example.com`;
  let patientToken = "";
  let patientId = "";
  let doctorToken = "";
  let doctorId = "";

  await step("register; the record appears with plan none; the patient picks plan plus", async () => {
    const registered = await call("POST", "/api/auth/register", {
      body: { email, password: "journey-password-1", name: "Jo Urney" },
    });
    expect(registered.status).toBe(201);
    patientToken = registered.body.accessToken;
    patientId = registered.body.user.id;
    const me = await eventually("the patient record", async () => {
      const res = await call("GET", "/api/patients/me", { token: patientToken });
      return res.status === 200 ? res.body : undefined;
    });
    expect(me).toMatchObject({ id: patientId, email, insurance: { planId: "none" } });
    const plus = { insurance: { planId: "plus", memberId: "PLUS-1" } };
    expect((await call("PATCH", "/api/patients/me", { token: patientToken, body: plus })).status).toBe(428);
    const patched = await call("PATCH", "/api/patients/me", {
      token: patientToken,
      body: plus,
      headers: { "if-match": String(me.version) },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.insurance).toEqual(plus.insurance);
  });

  await step("book a General Practice slot; the invoice uses plan plus; pay it", async () => {
    doctorToken = await login("doctor.general@example.com");
    const doctors = await eventually("the demo doctor", async () => {
      const res = await call("GET", "/api/doctors?specialty=General%20Practice", { token: patientToken });
      return res.body.items?.length ? (res.body.items as Json[]) : undefined;
    });
    doctorId = doctors[0]!.id;
    const slots = await call("GET", `/api/slots?specialty=General%20Practice&${range(3, 10)}`, {
      token: patientToken,
    });
    expect(slots.status).toBe(200);
    const slot = slots.body.items.find((s: Json) => s.doctorId === doctorId);
    expect(slot).toBeDefined();

    // Billing prices with the plan it last learned from `patients` (event-carried state); give
    // the patient.updated event time to arrive, since nothing in the API exposes billing's copy.
    await Bun.sleep(timeoutMs / 10);
    const booking = { doctorId, start: slot.start, mode: "in-person", reason: "check-up" };
    const key = crypto.randomUUID();
    const booked = await call("POST", "/api/appointments", {
      token: patientToken,
      body: booking,
      headers: { "idempotency-key": key },
    });
    expect(booked.status).toBe(201);
    expect(booked.body).toMatchObject({
      patientId,
      doctorId,
      status: "booked",
      specialty: "General Practice",
    });
    const replay = await call("POST", "/api/appointments", {
      token: patientToken,
      body: booking,
      headers: { "idempotency-key": key },
    });
    expect(replay.body.id).toBe(booked.body.id);

    const invoice = await invoiceOf(patientToken, booked.body.id);
    // General Practice in person 8000; plan plus: copay 1000, 80% of the other 7000 covered.
    expect(invoice).toMatchObject({
      patientId,
      status: "open",
      currency: "EUR",
      totalCents: 8000,
      insuranceCoveredCents: 5600,
      patientDueCents: 2400,
      paidCents: 0,
    });
    const pay = (amountCents: number) =>
      call("POST", `/api/invoices/${invoice.id}/pay`, {
        token: patientToken,
        body: { amountCents, method: "card" },
        headers: { "idempotency-key": crypto.randomUUID() },
      });
    expect((await pay(2399)).status).toBe(400);
    const paid = await pay(2400);
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ status: "paid", paidCents: 2400 });
    expect((await pay(2400)).status).toBe(409);
  });

  await step("the doctor with the booking reads the chart; another doctor may not", async () => {
    const chart = await eventually("care-team access", async () => {
      const res = await call("GET", `/api/patients/${patientId}`, { token: doctorToken });
      return res.status === 200 ? res.body : undefined;
    });
    expect(chart).toMatchObject({ id: patientId, email });
    const stranger = await login("doctor.dermatology@example.com");
    expect([403, 404]).toContain(
      (await call("GET", `/api/patients/${patientId}`, { token: stranger })).status,
    );
  });

  await step("an uploaded lab PDF becomes a flagged result, an alert for the doctor, and FHIR", async () => {
    const upload = await call("POST", `/api/patients/${patientId}/lab-reports`, {
      token: patientToken,
      body: { fileName: "labs.pdf", contentType: "application/pdf" },
    });
    expect(upload.status).toBe(201);
    const pdf = await renderLabReportPdf({
      patientId,
      collectedAt: "2026-11-20T08:30:00Z",
      lines: ["Hemoglobin 13.5 g/dL 12.0-16.0", "Glucose (fasting) 180 mg/dL 70-99 H"],
    });
    const put = await fetch(upload.body.uploadUrl, {
      method: "PUT",
      headers: { "content-type": "application/pdf" },
      body: pdf,
    });
    expect(put.status).toBe(200);

    const result = await eventually("the lab result", async () => {
      const res = await call("GET", `/api/patients/${patientId}/lab-results`, { token: patientToken });
      return res.body.items?.find((r: Json) => r.reportId === upload.body.reportId) as Json | undefined;
    });
    expect(result.analytes.find((a: Json) => a.name === "Glucose (fasting)")).toMatchObject({
      value: 180,
      unit: "mg/dL",
      refLow: 70,
      refHigh: 99,
      flag: "H",
    });
    // 180 > 1.5 × 99 → critical.
    const alert = await eventually("the alert", async () => {
      const res = await call("GET", "/api/patients/alerts?status=open", { token: doctorToken });
      return res.body.items?.find((a: Json) => a.labResultId === result.id) as Json | undefined;
    });
    expect(alert).toMatchObject({ patientId, severity: "critical", status: "open" });
    const ack = await call("POST", `/api/patients/alerts/${alert.id}/acknowledge`, { token: doctorToken });
    expect(ack.status).toBe(200);
    expect(ack.body.status).toBe("acknowledged");

    const fhir = await call("GET", `/api/patients/${patientId}/fhir`, { token: doctorToken });
    expect(fhir.status).toBe(200);
    expect(fhir.body).toMatchObject({ resourceType: "Bundle", type: "collection" });
    const types = new Set(fhir.body.entry.map((e: Json) => e.resource.resourceType));
    expect([...types].sort()).toEqual(["DiagnosticReport", "Observation", "Patient"]);
  });

  await step("a second booking cancelled days ahead voids its invoice", async () => {
    const slots = await call("GET", `/api/doctors/${doctorId}/slots?${range(12, 19)}`, {
      token: patientToken,
    });
    const slot = slots.body.items.find((s: Json) => s.available);
    const booked = await call("POST", "/api/appointments", {
      token: patientToken,
      body: { doctorId, start: slot.start, mode: "telehealth" },
      headers: { "idempotency-key": crypto.randomUUID() },
    });
    expect(booked.status).toBe(201);
    await invoiceOf(patientToken, booked.body.id);
    const cancelled = await call("POST", `/api/appointments/${booked.body.id}/cancel`, {
      token: patientToken,
      body: { reason: "feeling better" },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe("cancelled");
    // Telehealth General Practice: 80% of 8000.
    expect(await invoiceOf(patientToken, booked.body.id, "void")).toMatchObject({
      status: "void",
      totalCents: 6400,
    });
  });
}
