import { expect, test } from "bun:test";
import { decodeS3Key, parseReportKey } from "./handler.ts";

const P = "0193a8f0-0000-7000-8000-0000000000a1";
const R = "0193a8f0-0000-7000-8000-0000000000b1";

test("keys the upload URL issues are read; anything else is not", () => {
  expect(parseReportKey(`patients/${P}/${R}.pdf`)).toEqual({ patientId: P, reportId: R });
  for (const key of [
    `patients/${P}/${R}.PDF`,
    `patients/${P}/${R}.pdf.exe`,
    `patients/${P}/${R}`,
    `patients/${P}/sub/${R}.pdf`,
    `patients/${P}/../${R}.pdf`,
    `/patients/${P}/${R}.pdf`,
    `quarantine/patients/${P}/${R}.pdf`,
    `patients/not-a-uuid/${R}.pdf`,
    `patients/${P}/${R}x.pdf`,
    "patients//.pdf",
  ]) {
    expect(parseReportKey(key)).toBeNull();
  }
});

test("notification keys are URL-decoded (+ is a space); bad escapes are kept as they are", () => {
  expect(decodeS3Key("uploads/my+report+%281%29.pdf")).toBe("uploads/my report (1).pdf");
  expect(decodeS3Key(`patients/${P}/${R}.pdf`)).toBe(`patients/${P}/${R}.pdf`);
  expect(decodeS3Key("bad%zzescape")).toBe("bad%zzescape");
});

test("the Lambda entry builds itself from the environment and skips what is not its business", async () => {
  const saved = { ...process.env };
  Object.assign(process.env, { PUBLIC_URL: "http://127.0.0.1:9", LAB_BUCKET: "labs", LOG_LEVEL: "silent" });
  try {
    const { handler } = await import("./handler.ts");
    const event = (bucket: string, key: string) => ({
      Records: [
        { eventName: "ObjectCreated:Put", s3: { bucket: { name: bucket }, object: { key, size: 1 } } },
      ],
    });
    // Neither needs S3 nor the network: the quarantine prefix and a foreign bucket are skipped first.
    expect(await handler(event("labs", `quarantine/patients/${P}/${R}.pdf`))).toEqual([
      {
        outcome: "skipped",
        bucket: "labs",
        key: `quarantine/patients/${P}/${R}.pdf`,
        reason: "already in quarantine",
      },
    ]);
    expect((await handler(event("other", `patients/${P}/${R}.pdf`)))[0]?.outcome).toBe("skipped");
  } finally {
    process.env = saved;
  }
});
