import { isExclusionViolation } from "@carebridge/db";
import { type AppError, badRequest, conflict } from "@carebridge/http";
import { BookingRejection } from "../domain/booking.ts";

/** Maps a booking rule's refusal (or the exclusion constraint's) to the HTTP answer; other errors pass. */
export function bookingHttpError(error: unknown, field = "start"): unknown {
  if (isExclusionViolation(error)) {
    return conflict("The doctor already has an appointment at this time.", { code: "slot-taken" });
  }
  if (!(error instanceof BookingRejection)) return error;
  const fail = (code: string, errors: Record<string, string>): AppError =>
    badRequest(error.message, { code, errors });
  switch (error.code) {
    case "slot_taken":
      return conflict(error.message, { code: "slot-taken" });
    case "in_past":
      return fail("in-past", { [field]: "must be in the future" });
    case "invalid_slot":
      return fail("invalid-slot", { [field]: error.message });
    case "unknown_doctor":
      return fail("unknown-doctor", { doctorId: "no bookable doctor has this id" });
    case "unknown_patient":
      return fail("unknown-patient", { patientId: "no patient has this id" });
    case "invalid_request":
      return fail("invalid-request", {});
    default:
      return error.code satisfies never;
  }
}
