import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { ConfigError, env, parseConfig } from "./index.ts";

const schema = z.object({
  DATABASE_URL: env.url(),
  PORT: env.port(8080),
  KAFKA_BROKERS: env.list(),
  AUDIT_ENABLED: env.bool(true),
});

describe("parseConfig", () => {
  test("parses and coerces a complete environment, applying defaults", () => {
    const config = parseConfig(schema, {
      DATABASE_URL: "postgres://db:5432/app",
      KAFKA_BROKERS: "a:9092, b:9092",
      AUDIT_ENABLED: "0",
    });
    expect(config).toEqual({
      DATABASE_URL: "postgres://db:5432/app",
      PORT: 8080,
      KAFKA_BROKERS: ["a:9092", "b:9092"],
      AUDIT_ENABLED: false,
    });
  });

  test("lists every missing and invalid key in one error", () => {
    let error: unknown;
    try {
      parseConfig(schema, { PORT: "99999" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join("\n");
    expect(problems).toContain("DATABASE_URL: missing");
    expect(problems).toContain("KAFKA_BROKERS: missing");
    expect(problems).toMatch(/PORT: .*65535/);
  });
});
