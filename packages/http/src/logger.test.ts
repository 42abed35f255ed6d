import { expect, test } from "bun:test";
import { captureLogger } from "./test-support.ts";

test("JSON lines carry service, level label and ISO time; credentials are redacted", () => {
  const { logger, lines } = captureLogger("info");
  logger.info(
    {
      headers: { authorization: "Bearer abc.def.ghi" },
      user: { password: "demo-password-1" },
      refreshToken: "rt",
    },
    "hello",
  );
  logger.debug({}, "below level");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ level: "info", service: "test", msg: "hello" });
  expect(Date.parse(String(lines[0]?.time))).not.toBeNaN();
  const text = JSON.stringify(lines);
  expect(text).not.toContain("abc.def.ghi");
  expect(text).not.toContain("demo-password-1");
  expect(text).not.toContain('"rt"');
});
