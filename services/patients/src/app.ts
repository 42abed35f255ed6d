import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { HeadBucketCommand } from "@aws-sdk/client-s3";
import { createHttpApp, type HttpApp, requireAuth } from "@carebridge/http";
import type { PatientsDeps } from "./deps.ts";
import { registerAlertsAcknowledge } from "./routes/alerts-acknowledge.ts";
import { registerAlertsList } from "./routes/alerts-list.ts";
import { registerFhir } from "./routes/fhir.ts";
import { registerHistory } from "./routes/history.ts";
import { registerInternalLabResults } from "./routes/internal-lab-results.ts";
import { registerLabReportsCreate } from "./routes/lab-reports-create.ts";
import { registerLabResultsList } from "./routes/lab-results-list.ts";
import { registerMeGet } from "./routes/me-get.ts";
import { registerMePatch } from "./routes/me-patch.ts";
import { registerPatientGet } from "./routes/patient-get.ts";

/** The patients service's Hono app over `deps`; no I/O until a request arrives. */
export function createApp(deps: PatientsDeps): HttpApp {
  const app = createHttpApp({
    service: "patients",
    logger: deps.logger,
    readiness: {
      dynamodb: async () => {
        await deps.dynamodb.send(new DescribeTableCommand({ TableName: deps.store.tableName }));
      },
      s3: async () => {
        await deps.s3.send(new HeadBucketCommand({ Bucket: deps.bucket }));
      },
    },
    openapi: { path: "/api/patients/openapi.json", title: "Carebridge patients", version: "1.0.0" },
  });
  // Everything below the OpenAPI document needs a token.
  app.use("/api/patients/*", requireAuth(deps.verifier));
  // Path words first: `me`, `alerts` and `internal` are never patient ids.
  registerMeGet(app, deps);
  registerMePatch(app, deps);
  registerAlertsList(app, deps);
  registerAlertsAcknowledge(app, deps);
  registerInternalLabResults(app, deps);
  registerPatientGet(app, deps);
  registerHistory(app, deps);
  registerLabReportsCreate(app, deps);
  registerLabResultsList(app, deps);
  registerFhir(app, deps);
  return app;
}
