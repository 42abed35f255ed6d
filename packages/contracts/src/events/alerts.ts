import { z } from "zod";
import { isoDateTime, nonEmptyText, uuid } from "../primitives.ts";

/** `alert.raised` v1 on `clinical.alerts`: a lab result had values out of range. */
export const alertRaisedV1 = z.object({
  alertId: uuid,
  patientId: uuid,
  labResultId: uuid,
  severity: z.enum(["warning", "critical"]),
  summary: nonEmptyText,
  createdAt: isoDateTime,
});

/** `alert.acknowledged` v1 on `clinical.alerts`: a doctor acknowledged the alert. */
export const alertAcknowledgedV1 = z.object({
  alertId: uuid,
  patientId: uuid,
  acknowledgedBy: uuid.describe("User id of the acknowledging doctor."),
  acknowledgedAt: isoDateTime,
});

/** Data of `alert.raised` v1. */
export type AlertRaised = z.infer<typeof alertRaisedV1>;
/** Data of `alert.acknowledged` v1. */
export type AlertAcknowledged = z.infer<typeof alertAcknowledgedV1>;
