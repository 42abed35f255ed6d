import type { Executor } from "@carebridge/db";
import { type SQL, sql } from "drizzle-orm";
import type { InsurancePlanId } from "../domain/money.ts";
import { patientPlans } from "./schema.ts";

/** Seed of the per-appointment lock hash (apart from the outbox's key locks). */
const APPOINTMENT_LOCK_SEED = 0x0b111;

/**
 * Serialises work on these appointments until the transaction ends (two consumers overlapping in
 * a rebalance, a payment): locks taken in sorted order, so two writers cannot deadlock.
 */
export async function lockAppointments(db: Executor, appointmentIds: string[]): Promise<void> {
  if (appointmentIds.length === 0) return;
  const ids = [...new Set(appointmentIds)].sort();
  // One JSON parameter, not one per id: ~4× cheaper for a batch of thousands.
  await db.execute(
    sql`SELECT pg_advisory_xact_lock(hashtextextended(k, ${APPOINTMENT_LOCK_SEED}))
        FROM json_array_elements_text(${JSON.stringify(ids)}::json) AS k ORDER BY k`,
  );
}

/** A patient's plan as billing knows it. */
export interface KnownPlan {
  patientId: string;
  planId: InsurancePlanId;
  memberId: string | null;
  version: number;
}

/** The known plans of these patients (absent: nothing learned yet, i.e. plan `none`). */
export async function findPlans(db: Executor, patientIds: string[]): Promise<Map<string, KnownPlan>> {
  if (patientIds.length === 0) return new Map();
  const rows = await db
    .select({
      patientId: patientPlans.patientId,
      planId: patientPlans.planId,
      memberId: patientPlans.memberId,
      version: patientPlans.version,
    })
    .from(patientPlans)
    .where(sql`${patientPlans.patientId} = ANY(${uuidArray([...new Set(patientIds)])})`);
  return new Map(rows.map((r) => [r.patientId, r]));
}

/** Records plans; a plan only replaces one learned from an older record version. */
export async function savePlans(db: Executor, plans: KnownPlan[]): Promise<void> {
  if (plans.length === 0) return;
  await db.execute(
    sql`INSERT INTO patient_plans (patient_id, plan_id, member_id, version, updated_at)
        SELECT r."patientId", r."planId", r."memberId", r.version, now()
        FROM jsonb_to_recordset(${JSON.stringify(plans)}::jsonb)
          AS r("patientId" uuid, "planId" text, "memberId" text, version int)
        ON CONFLICT (patient_id) DO UPDATE
          SET plan_id = excluded.plan_id, member_id = excluded.member_id,
              version = excluded.version, updated_at = excluded.updated_at
          WHERE patient_plans.version < excluded.version`,
  );
}

/**
 * `uuid[]` from one JSON parameter: a batch of thousands of ids costs one bind parameter, not one
 * each (for `= ANY(…)`, which the planner turns into index lookups).
 */
export function uuidArray(ids: readonly string[]): SQL {
  return sql`ARRAY(SELECT json_array_elements_text(${JSON.stringify(ids)}::json))::uuid[]`;
}
