import { expect, test } from "bun:test";
import { createJwtVerifier } from "../jwt-verifier.ts";
import { createTestIssuer } from "./test-issuer.ts";

test("tokens from the test issuer pass the production verifier with the same checks", async () => {
  const issuer = await createTestIssuer();
  const verifier = createJwtVerifier({ issuer: issuer.issuer, audience: issuer.audience, keys: issuer.keys });
  const principal = await verifier.verify(
    await issuer.sign({ sub: "0192f0a0-0000-7000-8000-000000000001", role: "doctor" }),
  );
  expect(principal).toMatchObject({ userId: "0192f0a0-0000-7000-8000-000000000001", role: "doctor" });
  const other = await createTestIssuer();
  await expect(verifier.verify(await other.sign({ sub: "x", role: "admin" }))).rejects.toMatchObject({
    status: 401,
  });
});
