import { expect, test } from "bun:test";
import { ConfigError } from "@carebridge/config";
import { loadConfig } from "./config.ts";

test("AUTH_URL and PATIENTS_URL default to PUBLIC_URL; the dev client outside production", () => {
  const c = loadConfig({ PUBLIC_URL: "http://localhost:8080", S3_ENDPOINT: "http://127.0.0.1:9000" });
  expect(c).toMatchObject({
    authUrl: "http://localhost:8080",
    patientsUrl: "http://localhost:8080",
    clientId: "lab-results",
    clientSecret: "lab-results-dev-secret",
    bucket: "carebridge-lab-reports",
    s3: { region: "us-east-1", endpoint: "http://127.0.0.1:9000" },
  });
  expect(c.s3.credentials).toBeUndefined();
});

test("explicit URLs and credentials win", () => {
  const c = loadConfig({
    PUBLIC_URL: "http://localhost:8080",
    PATIENTS_URL: "http://patients.internal",
    AWS_ACCESS_KEY_ID: "id",
    AWS_SECRET_ACCESS_KEY: "secret",
  });
  expect(c.patientsUrl).toBe("http://patients.internal");
  expect(c.authUrl).toBe("http://localhost:8080");
  expect(c.s3.credentials).toEqual({ accessKeyId: "id", secretAccessKey: "secret" });
});

test("a bad value is named", () => {
  expect(() => loadConfig({ PUBLIC_URL: "http://localhost:8080", PORT: "nope" })).toThrow("PORT");
});

test("every missing setting is listed at once", () => {
  try {
    loadConfig({ NODE_ENV: "production" });
    throw new Error("expected a ConfigError");
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join("\n");
    for (const key of ["AUTH_URL", "PATIENTS_URL", "LAB_CLIENT_SECRET"]) expect(problems).toContain(key);
  }
});
