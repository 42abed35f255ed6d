import { expect, test } from "bun:test";
import { loadConfig } from "./config.ts";

test("local endpoints: the table is created and transactions are probed; against AWS neither", () => {
  const local = loadConfig({
    DYNAMODB_ENDPOINT: "http://127.0.0.1:8000",
    PUBLIC_URL: "http://localhost:8080",
  });
  expect(local).toMatchObject({
    createTable: true,
    transactions: "auto",
    jwksUrl: "http://localhost:8080/api/auth/.well-known/jwks.json",
    DYNAMODB_TABLE: "carebridge-patients",
    LAB_BUCKET: "carebridge-lab-reports",
    SEED_DEMO: false,
  });
  expect(loadConfig({})).toMatchObject({ createTable: false, transactions: "native" });
  expect(loadConfig({ DYNAMODB_CREATE_TABLE: "true", DYNAMODB_TRANSACTIONS: "emulated" })).toMatchObject({
    createTable: true,
    transactions: "emulated",
  });
});

test("every invalid key is listed at once", () => {
  expect(() =>
    loadConfig({ PORT: "nope", DYNAMODB_TRANSACTIONS: "sometimes", DYNAMODB_ENDPOINT: "not a url" }),
  ).toThrow(/PORT[\s\S]*DYNAMODB_ENDPOINT|DYNAMODB_ENDPOINT[\s\S]*PORT/);
});
