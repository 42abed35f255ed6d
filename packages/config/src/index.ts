import { z } from "zod";

/** Thrown when configuration is missing or invalid; lists every problem at once. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/**
 * Parses configuration from the environment once, failing fast with every missing or invalid
 * key listed (habit 5). The schema's keys are the env var names (SCREAMING_SNAKE).
 */
export function parseConfig<T extends z.ZodObject>(
  schema: T,
  env: Record<string, string | undefined> = process.env,
): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const key = issue.path.join(".");
      return env[key] === undefined ? `${key}: missing (${issue.message})` : `${key}: ${issue.message}`;
    }),
  );
}

/** Env helpers: numbers, ports, booleans and comma lists arrive as strings. */
export const env = {
  port: (fallback?: number) =>
    fallback === undefined
      ? z.coerce.number().int().min(1).max(65_535)
      : z.coerce.number().int().min(0).max(65_535).default(fallback),
  int: (fallback: number) => z.coerce.number().int().default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(["true", "false", "1", "0"])
      .default(fallback ? "true" : "false")
      .transform((v) => v === "true" || v === "1"),
  list: () =>
    z
      .string()
      .min(1)
      .transform((v) =>
        v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
      ),
  url: () => z.url(),
};
