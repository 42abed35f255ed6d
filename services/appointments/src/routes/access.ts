import type { Executor } from "@carebridge/db";
import { assertAccess, notFound, type Principal } from "@carebridge/http";
import { findAppointment } from "../db/appointment-queries.ts";
import type { Appointment } from "../domain/appointment.ts";

/** Who may act on an appointment. */
export type Party = "patient" | "doctor" | "admin";

/**
 * The appointment, if the caller is one of `parties` for it. Someone who may not even see it gets
 * 404 (its existence is PHI); its patient, doctor or an admin lacking the right for this action
 * gets 403.
 */
export async function appointmentFor(
  db: Executor,
  principal: Principal,
  id: string,
  parties: readonly Party[],
  options: { forUpdate?: boolean } = {},
): Promise<Appointment> {
  const appointment = await findAppointment(db, id, options);
  if (!appointment) throw notFound("No such appointment.");
  const isPatient = principal.role === "patient" && appointment.patientId === principal.userId;
  const isDoctor = principal.role === "doctor" && appointment.doctorId === principal.userId;
  const isAdmin = principal.role === "admin";
  assertAccess(principal, { allow: isPatient || isDoctor || isAdmin, deny: "not-found" });
  const allowed =
    (isPatient && parties.includes("patient")) ||
    (isDoctor && parties.includes("doctor")) ||
    (isAdmin && parties.includes("admin"));
  assertAccess(principal, { allow: allowed, deny: "forbidden" });
  return appointment;
}
