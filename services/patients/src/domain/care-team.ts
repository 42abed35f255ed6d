import type { AppointmentStatus } from "@carebridge/contracts";

/**
 * Whether an appointment in this status lets its doctor read the patient: booked, completed and
 * no-show do; cancelled does not (another appointment of the pair may still grant).
 */
export function grantsAccess(status: AppointmentStatus): boolean {
  switch (status) {
    case "booked":
    case "completed":
    case "no-show":
      return true;
    case "cancelled":
      return false;
    default:
      return status satisfies never;
  }
}
