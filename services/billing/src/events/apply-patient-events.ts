import type { PatientRegistered } from "@carebridge/contracts";
import type { Tx } from "@carebridge/db";
import type { ReceivedEvent } from "@carebridge/kafka";
import { type KnownPlan, savePlans } from "../db/state-queries.ts";

/**
 * The effect of `patient.registered` / `patient.updated`: remember each patient's insurance plan
 * (event-carried state). The highest record `version` wins, so a redelivered or re-driven older
 * event never overwrites a newer plan.
 */
export async function applyPatientEvents(tx: Tx, events: ReceivedEvent[]): Promise<void> {
  const newest = new Map<string, KnownPlan>();
  for (const event of events) {
    const data = event.data as PatientRegistered; // validated; both types carry these fields
    const known = newest.get(data.patientId);
    if (known && known.version >= data.version) continue;
    newest.set(data.patientId, {
      patientId: data.patientId,
      planId: data.insurance.planId,
      memberId: data.insurance.memberId,
      version: data.version,
    });
  }
  await savePlans(tx, [...newest.values()]);
}
