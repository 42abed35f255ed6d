import { expect, test } from "bun:test";
import type { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { isCareTeam } from "./care-team-queries.ts";
import type { Store } from "./store.ts";

test("isCareTeam reads strongly consistently: a committed cancellation is seen at once", async () => {
  const sent: QueryCommand[] = [];
  const store = {
    tableName: "t",
    doc: {
      send: async (command: QueryCommand) => {
        sent.push(command);
        return { Items: [{ status: "cancelled" }, { status: "booked" }] };
      },
    },
  } as unknown as Store;
  expect(await isCareTeam(store, "d", "p")).toBe(true);
  expect(sent).toHaveLength(1);
  expect(sent[0]!.input.ConsistentRead).toBe(true);
});
