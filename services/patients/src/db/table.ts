import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from "@aws-sdk/client-dynamodb";

/** Name of the overloaded global secondary index (GSI1PK / GSI1SK). */
export const GSI1 = "GSI1";

/** Key builders of the single-table design (see README "DynamoDB design"). */
export const keys = {
  patient: (patientId: string) => `PATIENT#${patientId}`,
  profile: "PROFILE",
  /** Events sort by their zero-padded sequence number (= the version they produced). */
  event: (seq: number) => `EVENT#${String(seq).padStart(10, "0")}`,
  eventPrefix: "EVENT#",
  /** One care link per (doctor, appointment). */
  care: (doctorId: string, appointmentId: string) => `CARE#${doctorId}#${appointmentId}`,
  carePrefix: (doctorId: string) => `CARE#${doctorId}#`,
  doctor: (doctorId: string) => `DOCTOR#${doctorId}`,
  /** Lab results sort by when they were received, newest last. */
  labResult: (receivedAt: string, labResultId: string) => `LAB#${receivedAt}#${labResultId}`,
  labPrefix: "LAB#",
  upload: (reportId: string) => `UPLOAD#${reportId}`,
  report: (reportId: string) => `REPORT#${reportId}`,
  alert: (alertId: string) => `ALERT#${alertId}`,
  patientAlerts: (patientId: string) => `ALERTS#${patientId}`,
  audit: (patientId: string) => `AUDIT#${patientId}`,
  processed: (groupId: string, eventId: string) => `PROCESSED#${groupId}#${eventId}`,
  outbox: (shard: number) => `OUTBOX#${shard}`,
  outboxLease: (shard: number) => `LEASE#OUTBOX#${shard}`,
} as const;

/** Creates the table with its index unless it exists, then waits until it is ACTIVE. */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  timeoutMs = 60_000,
): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: "PK", AttributeType: "S" },
          { AttributeName: "SK", AttributeType: "S" },
          { AttributeName: "GSI1PK", AttributeType: "S" },
          { AttributeName: "GSI1SK", AttributeType: "S" },
        ],
        KeySchema: [
          { AttributeName: "PK", KeyType: "HASH" },
          { AttributeName: "SK", KeyType: "RANGE" },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: GSI1,
            KeySchema: [
              { AttributeName: "GSI1PK", KeyType: "HASH" },
              { AttributeName: "GSI1SK", KeyType: "RANGE" },
            ],
            Projection: { ProjectionType: "ALL" },
          },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === "ACTIVE");
      if (Table?.TableStatus === "ACTIVE" && indexesActive) return;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    if (Date.now() > deadline) throw new Error(`table ${tableName} not ACTIVE after ${timeoutMs} ms`);
    await Bun.sleep(100);
  }
}
