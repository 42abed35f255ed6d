/** Base64 of 32 bytes; only for NODE_ENV !== "production" (embedded stack, dev, tests). */
export const DEV_KEY_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64");

/** Imports the AES-256-GCM key that wraps signing keys at rest. */
export function importKeyEncryptionKey(base64: string): Promise<CryptoKey> {
  const raw = Buffer.from(base64, "base64");
  if (raw.length !== 32) throw new Error("AUTH_KEY_ENCRYPTION_KEY must be base64 of 32 bytes");
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

/** AES-256-GCM: base64(iv ‖ ciphertext+tag), bound to `aad` (the kid). */
export async function encrypt(key: CryptoKey, plain: Uint8Array<ArrayBuffer>, aad: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const additionalData = new TextEncoder().encode(aad);
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData }, key, plain);
  return Buffer.concat([iv, new Uint8Array(sealed)]).toString("base64");
}

/** Reverses {@link encrypt}; throws when the key, the aad or the bytes are wrong. */
export async function decrypt(key: CryptoKey, sealed: string, aad: string): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = Buffer.from(sealed, "base64");
  const additionalData = new TextEncoder().encode(aad);
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: bytes.subarray(0, 12), additionalData },
    key,
    bytes.subarray(12),
  );
  return new Uint8Array(plain);
}
