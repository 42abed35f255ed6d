import type { Executor } from "@carebridge/db";
import { DEMO_ACCOUNTS } from "@carebridge/runtime";
import { updateAvailability, updateDoctorProfile } from "../db/doctor-queries.ts";

/**
 * Completes a demo doctor (by e-mail, from DEMO_ACCOUNTS) when it is first learned: specialty,
 * time zone and weekly availability as the contract's demo table says. Others are left alone.
 */
export async function completeDemoDoctor(
  tx: Executor,
  doctor: { id: string; email: string },
): Promise<boolean> {
  const demo = DEMO_ACCOUNTS.find((a) => a.email === doctor.email.toLowerCase())?.doctor;
  if (!demo) return false;
  await updateDoctorProfile(tx, doctor.id, { specialty: demo.specialty, timeZone: demo.timeZone });
  await updateAvailability(tx, doctor.id, {
    timeZone: demo.timeZone,
    slotMinutes: demo.slotMinutes,
    weekly: demo.weekdays.map((weekday) => ({ weekday, start: demo.start, end: demo.end })),
    exceptions: [],
  });
  return true;
}
