import type { AppointmentStatus } from "@carebridge/contracts";
import type { Appointment } from "./appointment.ts";

/** The FHIR R4 Appointment status of each appointment status. */
export const FHIR_STATUS = {
  booked: "booked",
  cancelled: "cancelled",
  completed: "fulfilled",
  "no-show": "noshow",
} as const satisfies Record<AppointmentStatus, string>;

/** Code system of the appointment mode (in-person / telehealth) in `appointmentType`. */
export const MODE_SYSTEM = "https://carebridge.dev/fhir/CodeSystem/appointment-mode";

const MODE_DISPLAY = { "in-person": "In person", telehealth: "Telehealth" } as const;

/** A FHIR R4 Appointment resource (the elements this service fills). */
export interface FhirAppointment {
  resourceType: "Appointment";
  id: string;
  meta: { lastUpdated: string };
  status: (typeof FHIR_STATUS)[AppointmentStatus];
  serviceType: Array<{ text: string }>;
  specialty: Array<{ text: string }>;
  appointmentType: { coding: Array<{ system: string; code: string; display: string }>; text: string };
  description?: string;
  start: string;
  end: string;
  minutesDuration: number;
  created: string;
  participant: Array<{
    actor: { reference: string; type: "Patient" | "Practitioner" };
    required: "required";
    status: "accepted";
  }>;
}

/** The appointment as a FHIR R4 Appointment. */
export function toFhirAppointment(a: Appointment): FhirAppointment {
  return {
    resourceType: "Appointment",
    id: a.id,
    meta: { lastUpdated: a.updatedAt },
    status: FHIR_STATUS[a.status],
    serviceType: [{ text: a.specialty }],
    specialty: [{ text: a.specialty }],
    appointmentType: {
      coding: [{ system: MODE_SYSTEM, code: a.mode, display: MODE_DISPLAY[a.mode] }],
      text: a.mode,
    },
    ...(a.reason ? { description: a.reason } : {}),
    start: a.start,
    end: a.end,
    minutesDuration: Math.round((Date.parse(a.end) - Date.parse(a.start)) / 60_000),
    created: a.createdAt,
    participant: [
      {
        actor: { reference: `Patient/${a.patientId}`, type: "Patient" },
        required: "required",
        status: "accepted",
      },
      {
        actor: { reference: `Practitioner/${a.doctorId}`, type: "Practitioner" },
        required: "required",
        status: "accepted",
      },
    ],
  };
}
