import { type DynamoDbLocal, startDynamoDbLocal } from "./dynamodb-local.ts";

let shared: Promise<DynamoDbLocal> | null = null;

/**
 * Endpoint of the DynamoDB Local that integration tests share. `bun run test` starts one (in
 * memory) for the whole run and exports CAREBRIDGE_TEST_DYNAMODB_ENDPOINT; a test file run on its
 * own starts one for its process, which a watchdog stops when the process ends. Tests sharing it
 * keep apart by table name.
 */
export async function testDynamoDbEndpoint(): Promise<string> {
  const fromEnv = process.env.CAREBRIDGE_TEST_DYNAMODB_ENDPOINT;
  if (fromEnv) return fromEnv;
  shared ??= startDynamoDbLocal({ inMemory: true, watchdog: true });
  return (await shared).endpoint;
}
