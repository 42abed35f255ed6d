import type { AppointmentStatus } from "@carebridge/contracts";

/** An appointment as the API shows it (times RFC 3339 UTC). */
export interface Appointment {
  id: string;
  patientId: string;
  doctorId: string;
  specialty: string;
  start: string;
  end: string;
  mode: "in-person" | "telehealth";
  reason: string | null;
  status: AppointmentStatus;
  createdAt: string;
  updatedAt: string;
}

/** RFC 3339 UTC, whole seconds without a fraction: `2026-11-23T09:00:00Z`. */
export function toRfc3339(value: Date | number): string {
  const iso = new Date(value).toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso;
}
