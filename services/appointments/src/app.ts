import { createHttpApp, type HttpApp, idempotency, requireAuth } from "@carebridge/http";
import { sql } from "drizzle-orm";
import type { AppointmentsDeps } from "./deps.ts";
import { registerAppointmentsCancel } from "./routes/appointments-cancel.ts";
import { registerAppointmentsComplete } from "./routes/appointments-complete.ts";
import { registerAppointmentsCreate } from "./routes/appointments-create.ts";
import { registerAppointmentsFhir } from "./routes/appointments-fhir.ts";
import { registerAppointmentsGet } from "./routes/appointments-get.ts";
import { registerAppointmentsList } from "./routes/appointments-list.ts";
import { registerAppointmentsNoShow } from "./routes/appointments-no-show.ts";
import { registerAppointmentsReschedule } from "./routes/appointments-reschedule.ts";
import { registerAvailabilityPut } from "./routes/availability-put.ts";
import { registerDoctorSlots } from "./routes/doctor-slots.ts";
import { registerDoctorsList } from "./routes/doctors-list.ts";
import { registerDoctorsUpdate } from "./routes/doctors-update.ts";
import { registerSlotsSearch } from "./routes/slots-search.ts";

const OPENAPI_PATH = "/api/appointments/openapi.json";

/** The appointments service's Hono app over `deps`; no I/O until a request arrives. */
export function createApp(deps: AppointmentsDeps): HttpApp {
  const app = createHttpApp({
    service: "appointments",
    logger: deps.logger,
    readiness: {
      postgres: async () => {
        await deps.database.query(sql`SELECT 1`);
      },
    },
    openapi: { path: OPENAPI_PATH, title: "Carebridge appointments", version: "1.0.0" },
  });
  // Every route needs a token, except the OpenAPI document.
  const auth = requireAuth(deps.verifier);
  for (const path of [
    "/api/doctors",
    "/api/doctors/*",
    "/api/slots",
    "/api/appointments",
    "/api/appointments/*",
  ]) {
    app.use(path, async (c, next) => (c.req.path === OPENAPI_PATH ? next() : auth(c as never, next)));
  }
  app.on("POST", "/api/appointments", idempotency(deps.idempotency));

  registerDoctorsList(app, deps);
  registerAvailabilityPut(app, deps);
  registerDoctorsUpdate(app, deps);
  registerDoctorSlots(app, deps);
  registerSlotsSearch(app, deps);
  registerAppointmentsCreate(app, deps);
  registerAppointmentsList(app, deps);
  registerAppointmentsFhir(app, deps);
  registerAppointmentsGet(app, deps);
  registerAppointmentsCancel(app, deps);
  registerAppointmentsReschedule(app, deps);
  registerAppointmentsComplete(app, deps);
  registerAppointmentsNoShow(app, deps);
  return app;
}
