import { CopyObjectCommand, DeleteObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";

/** Where quarantined objects go: `quarantine/<original key>`. */
export const QUARANTINE_PREFIX = "quarantine/";

/** Why a file was quarantined, as stored beside it. */
export interface QuarantineRecord {
  key: string;
  bucket: string;
  reason: string;
  quarantinedAt: string;
}

/** `CopySource` wants the key URL-encoded, segment by segment. */
const copySource = (bucket: string, key: string) =>
  `${bucket}/${key.split("/").map(encodeURIComponent).join("/")}`;

/** S3 user metadata is US-ASCII and small: keep the reason printable and short. */
const asMetadata = (reason: string) => reason.replace(/[^\x20-\x7e]/g, "?").slice(0, 1024);

/**
 * Moves `key` to `quarantine/<key>`: a copy carrying the reason in its metadata
 * (`x-amz-meta-quarantine-reason`), a `quarantine/<key>.reason.json` sidecar with the full reason,
 * then the original is deleted. Nothing else changes. Safe to repeat: each step overwrites.
 */
export async function quarantineObject(
  s3: S3Client,
  input: { bucket: string; key: string; reason: string; now: Date },
): Promise<QuarantineRecord> {
  const target = `${QUARANTINE_PREFIX}${input.key}`;
  const record: QuarantineRecord = {
    key: input.key,
    bucket: input.bucket,
    reason: input.reason,
    quarantinedAt: input.now.toISOString(),
  };
  await s3.send(
    new CopyObjectCommand({
      Bucket: input.bucket,
      Key: target,
      CopySource: copySource(input.bucket, input.key),
      MetadataDirective: "REPLACE",
      ContentType: "application/octet-stream",
      Metadata: {
        "quarantine-reason": asMetadata(input.reason),
        "original-key": asMetadata(input.key),
        "quarantined-at": record.quarantinedAt,
      },
    }),
  );
  await s3.send(
    new PutObjectCommand({
      Bucket: input.bucket,
      Key: `${target}.reason.json`,
      Body: JSON.stringify(record, null, 2),
      ContentType: "application/json",
    }),
  );
  await s3.send(new DeleteObjectCommand({ Bucket: input.bucket, Key: input.key }));
  return record;
}
