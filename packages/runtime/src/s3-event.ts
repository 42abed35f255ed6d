/** An S3 ObjectCreated notification, shaped as AWS delivers it to Lambda (and s3rver emits it). */
export interface S3Event {
  Records: Array<{
    eventName: string;
    s3: { bucket: { name: string }; object: { key: string; size: number } };
  }>;
}
