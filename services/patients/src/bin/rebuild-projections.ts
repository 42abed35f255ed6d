/**
 * Rebuilds every patient projection from its event log:
 *   bun run services/patients/src/bin/rebuild-projections.ts
 * Uses the service's configuration (DYNAMODB_ENDPOINT, DYNAMODB_TABLE, AWS_REGION, …).
 */
import { loadConfig } from "../config.ts";
import { buildDeps } from "../deps.ts";
import { rebuildProjections } from "../domain/rebuild.ts";

const deps = await buildDeps(loadConfig());
try {
  const report = await rebuildProjections(deps.store);
  deps.logger.info(
    { patients: report.patients, rewritten: report.rewritten.length },
    "projections rebuilt from the event log",
  );
  for (const id of report.rewritten)
    deps.logger.warn({ patientId: id }, "projection differed from its events; rewritten");
} finally {
  deps.close();
}
