import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { AppointmentStatus } from "@carebridge/contracts";
import { grantsAccess } from "../domain/care-team.ts";
import type { Store, TxItem } from "./store.ts";
import { GSI1, keys } from "./table.ts";

/** The latest known state of one appointment between a doctor and a patient. */
export interface CareLink {
  patientId: string;
  doctorId: string;
  appointmentId: string;
  status: AppointmentStatus;
  /** Epoch ms of the event that set `status`; a later event wins. */
  occurredAtMs: number;
}

/**
 * Whether the doctor currently has a granting appointment (booked, completed, no-show) with the
 * patient: a strongly consistent read, so a committed cancellation is seen at once.
 */
export async function isCareTeam(store: Store, doctorId: string, patientId: string): Promise<boolean> {
  const { Items = [] } = await store.doc.send(
    new QueryCommand({
      TableName: store.tableName,
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
      ExpressionAttributeValues: { ":pk": keys.patient(patientId), ":prefix": keys.carePrefix(doctorId) },
      ProjectionExpression: "#status",
      ExpressionAttributeNames: { "#status": "status" },
      ConsistentRead: true,
    }),
  );
  return Items.some((i) => grantsAccess(i.status as AppointmentStatus));
}

/** The patients a doctor may currently read. */
export async function careTeamPatients(store: Store, doctorId: string): Promise<string[]> {
  const patients = new Set<string>();
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await store.doc.send(
      new QueryCommand({
        TableName: store.tableName,
        IndexName: GSI1,
        KeyConditionExpression: "GSI1PK = :pk",
        ExpressionAttributeValues: { ":pk": keys.doctor(doctorId) },
        ExclusiveStartKey,
      }),
    );
    for (const item of page.Items ?? []) {
      if (grantsAccess(item.status as AppointmentStatus)) patients.add(item.patientId as string);
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return [...patients].sort();
}

/** The stored link of one appointment, or null. */
export async function getCareLink(
  store: Store,
  link: Pick<CareLink, "patientId" | "doctorId" | "appointmentId">,
): Promise<CareLink | null> {
  const { Items = [] } = await store.doc.send(
    new QueryCommand({
      TableName: store.tableName,
      KeyConditionExpression: "PK = :pk AND SK = :sk",
      ExpressionAttributeValues: {
        ":pk": keys.patient(link.patientId),
        ":sk": keys.care(link.doctorId, link.appointmentId),
      },
      ConsistentRead: true,
    }),
  );
  const item = Items[0];
  return item ? (item as unknown as CareLink) : null;
}

/** The item recording `link`, only if no later event for the appointment was recorded meanwhile. */
export function careLinkItem(link: CareLink): TxItem {
  return {
    Put: {
      TableName: "",
      Item: {
        PK: keys.patient(link.patientId),
        SK: keys.care(link.doctorId, link.appointmentId),
        GSI1PK: keys.doctor(link.doctorId),
        GSI1SK: `${keys.patient(link.patientId)}#${link.appointmentId}`,
        entity: "care-link",
        ...link,
      },
      ConditionExpression: "attribute_not_exists(PK) OR occurredAtMs < :t",
      ExpressionAttributeValues: { ":t": link.occurredAtMs },
    },
  };
}
