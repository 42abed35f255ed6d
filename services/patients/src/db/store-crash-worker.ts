/**
 * Child process of store.int.test.ts's crash check: PATCHes the given patients as fast as it can,
 * two racing writers per patient, printing one line per committed change, until it is killed.
 *   bun store-crash-worker.ts <endpoint> <table> <native|emulated> <patientId,…>
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { updatePatient } from "../domain/patient-commands.ts";
import { getPatient } from "./patient-queries.ts";
import { createStore, type TransactionMode } from "./store.ts";

const [endpoint, tableName, mode, ids] = process.argv.slice(2) as [string, string, TransactionMode, string];
const client = new DynamoDBClient({
  region: "us-east-1",
  credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  endpoint,
});
const store = createStore(client, tableName, mode);

async function writer(patientId: string, name: string) {
  let version = (await getPatient(store, patientId, true))?.version;
  if (version === undefined) throw new Error(`no patient ${patientId}`);
  for (let i = 0; ; i++) {
    const outcome = await updatePatient(
      store,
      patientId,
      version,
      { name: `${name} ${i}`, phone: `+4930${i}` },
      { userId: patientId, role: "patient" },
    );
    if (outcome.kind === "updated") {
      version = outcome.record.version;
      process.stdout.write(`${patientId} ${version}\n`);
    } else if (outcome.kind === "stale") {
      version = (await getPatient(store, patientId, true))?.version ?? version;
    }
  }
}

await Promise.all(ids.split(",").flatMap((id) => [writer(id, "Alpha"), writer(id, "Beta")]));
