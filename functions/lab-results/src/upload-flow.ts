/**
 * The user's path through a running stack, for the end-to-end test and the bench: sign in as the
 * demo patient, ask for an upload URL, PUT a PDF to S3, wait until the lab result is listed.
 */
import { DEMO_PASSWORD } from "@carebridge/runtime";

export interface Session {
  base: string;
  token: string;
  patientId: string;
}

async function json<T>(res: Response, expected: number, what: string): Promise<T> {
  const text = await res.text();
  if (res.status !== expected) throw new Error(`${what}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Signs in as a demo account and waits until its patient record exists (it is built from an event). */
export async function signInPatient(base: string, email = "patient@example.com"): Promise<Session> {
  const login = await json<{ accessToken: string }>(
    await fetch(`${base}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: DEMO_PASSWORD }),
    }),
    200,
    "login",
  );
  const headers = { authorization: `Bearer ${login.accessToken}` };
  for (let i = 0; i < 300; i++) {
    const res = await fetch(`${base}/api/patients/me`, { headers });
    if (res.status === 200) {
      const me = (await res.json()) as { id: string };
      return { base, token: login.accessToken, patientId: me.id };
    }
    await res.arrayBuffer();
    await Bun.sleep(100);
  }
  throw new Error("the patient record never appeared");
}

/** Asks for an upload URL and PUTs the PDF to it; returns the report id. */
export async function uploadReport(
  session: Session,
  pdf: Uint8Array,
  fileName = "report.pdf",
): Promise<string> {
  const issued = await json<{ reportId: string; uploadUrl: string }>(
    await fetch(`${session.base}/api/patients/${session.patientId}/lab-reports`, {
      method: "POST",
      headers: { authorization: `Bearer ${session.token}`, "content-type": "application/json" },
      body: JSON.stringify({ fileName, contentType: "application/pdf" }),
    }),
    201,
    "lab-reports",
  );
  const put = await fetch(issued.uploadUrl, {
    method: "PUT",
    headers: { "content-type": "application/pdf" },
    body: new Blob([pdf.slice()]),
  });
  if (!put.ok) throw new Error(`upload: HTTP ${put.status} ${await put.text()}`);
  return issued.reportId;
}

export interface LabResultItem {
  id: string;
  reportId: string;
  analytes: Array<{ name: string; flag: string }>;
}

/** The patient's lab results (newest first). */
export async function listLabResults(session: Session): Promise<LabResultItem[]> {
  const body = await json<{ items: LabResultItem[] }>(
    await fetch(`${session.base}/api/patients/${session.patientId}/lab-results?limit=200`, {
      headers: { authorization: `Bearer ${session.token}` },
    }),
    200,
    "lab-results",
  );
  return body.items;
}

/** Polls until the report's lab result is listed, every `intervalMs`; null when `timeoutMs` passes. */
export async function waitForLabResult(
  session: Session,
  reportId: string,
  options: { intervalMs?: number; timeoutMs?: number } = {},
): Promise<LabResultItem | null> {
  const deadline = performance.now() + (options.timeoutMs ?? 15_000);
  while (performance.now() < deadline) {
    const found = (await listLabResults(session)).find((r) => r.reportId === reportId);
    if (found) return found;
    await Bun.sleep(options.intervalMs ?? 20);
  }
  return null;
}
