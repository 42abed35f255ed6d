import { env, parseConfig } from "@carebridge/config";
import { z } from "zod";

const schema = z
  .object({
    NODE_ENV: z.string().default("development"),
    /** The local invoker's port (`bun run dev:real`). */
    PORT: env.port(8090),
    LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
    /** Where the API is served; AUTH_URL and PATIENTS_URL default to it. */
    PUBLIC_URL: env.url().optional(),
    AUTH_URL: env.url().optional(),
    PATIENTS_URL: env.url().optional(),
    LAB_CLIENT_ID: z.string().min(1).default("lab-results"),
    LAB_CLIENT_SECRET: z.string().min(1).optional(),
    /** The bucket the trigger is for; events of other buckets are ignored. */
    LAB_BUCKET: z.string().min(1).default("carebridge-lab-reports"),
    /** Set for s3rver / LocalStack; unset in AWS. */
    S3_ENDPOINT: env.url().optional(),
    AWS_REGION: z.string().min(1).default("us-east-1"),
    AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
    AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    AWS_SESSION_TOKEN: z.string().min(1).optional(),
  })
  .superRefine((value, ctx) => {
    for (const key of ["AUTH_URL", "PATIENTS_URL"] as const) {
      if (!value[key] && !value.PUBLIC_URL) {
        ctx.addIssue({ code: "custom", path: [key], message: "required when PUBLIC_URL is unset" });
      }
    }
    if (value.NODE_ENV === "production" && !value.LAB_CLIENT_SECRET) {
      ctx.addIssue({ code: "custom", path: ["LAB_CLIENT_SECRET"], message: "required in production" });
    }
  });

/** The dev client of the local stacks (services/auth syncs the same pair when SEED_DEMO is on). */
export const DEV_LAB_CLIENT = { clientId: "lab-results", clientSecret: "lab-results-dev-secret" } as const;

/** The lab-results function's configuration. */
export interface LabResultsConfig {
  port: number;
  logLevel: z.infer<typeof schema>["LOG_LEVEL"];
  authUrl: string;
  patientsUrl: string;
  clientId: string;
  clientSecret: string;
  bucket: string;
  s3: {
    region: string;
    endpoint?: string;
    credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  };
}

/** Parses the environment (the only reader of process.env), listing every problem at once. */
export function loadConfig(source: Record<string, string | undefined> = process.env): LabResultsConfig {
  const c = parseConfig(schema, source);
  return {
    port: c.PORT,
    logLevel: c.LOG_LEVEL,
    authUrl: (c.AUTH_URL ?? c.PUBLIC_URL)!,
    patientsUrl: (c.PATIENTS_URL ?? c.PUBLIC_URL)!,
    clientId: c.LAB_CLIENT_ID,
    clientSecret: c.LAB_CLIENT_SECRET ?? DEV_LAB_CLIENT.clientSecret,
    bucket: c.LAB_BUCKET,
    s3: {
      region: c.AWS_REGION,
      ...(c.S3_ENDPOINT ? { endpoint: c.S3_ENDPOINT } : {}),
      // In Lambda the SDK's default chain supplies credentials; locally they come from the env.
      ...(c.AWS_ACCESS_KEY_ID && c.AWS_SECRET_ACCESS_KEY
        ? {
            credentials: {
              accessKeyId: c.AWS_ACCESS_KEY_ID,
              secretAccessKey: c.AWS_SECRET_ACCESS_KEY,
              ...(c.AWS_SESSION_TOKEN ? { sessionToken: c.AWS_SESSION_TOKEN } : {}),
            },
          }
        : {}),
    },
  };
}
