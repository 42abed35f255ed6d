import type { Database, Executor } from "@carebridge/db";
import { desc, sql } from "drizzle-orm";
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import { recordAudit } from "../db/audit.ts";
import { signingKeys } from "../db/schema.ts";
import { decrypt, encrypt } from "./key-encryption.ts";

/** The key tokens are signed with now. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

/** Signing keys from the `signing_keys` table: the newest signs, the newest two verify. */
export interface KeyStore {
  current(): Promise<SigningKey>;
  jwks(): Promise<JSONWebKeySet>;
  /** A jose key resolver over {@link jwks}, for the JWT verifier. */
  resolver: JWTVerifyGetKey;
  /** Reloads from the database (after a rotation elsewhere). */
  reload(): Promise<void>;
}

interface Loaded {
  current: SigningKey;
  jwks: JSONWebKeySet;
  getKey: JWTVerifyGetKey;
  at: number;
}

/** Generates a new Ed25519 key, stores it encrypted and audits it; returns its kid. */
export async function createSigningKey(db: Executor, kek: CryptoKey): Promise<string> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const kid = Bun.randomUUIDv7();
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
  const jwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
  const publicJwk = { kty: "OKP", crv: "Ed25519", x: String(jwk.x), kid, alg: "EdDSA", use: "sig" };
  const privateKeyEncrypted = await encrypt(kek, pkcs8, kid);
  await db.insert(signingKeys).values({ kid, publicJwk, privateKeyEncrypted });
  await recordAudit(db, { action: "key.created", detail: { kid } });
  return kid;
}

/** Options of {@link createKeyStore}. */
export interface KeyStoreOptions {
  database: Database;
  kek: CryptoKey;
  /** How long loaded keys are trusted before a reload. Default 60 000 ms. */
  reloadAfterMs?: number;
}

/** Loads signing keys, creating the first one (under an advisory lock) when there is none. */
export function createKeyStore(options: KeyStoreOptions): KeyStore {
  const { database, kek } = options;
  const reloadAfterMs = options.reloadAfterMs ?? 60_000;
  let loading: Promise<Loaded> | undefined;

  const load = async (): Promise<Loaded> => {
    const read = () => database.db.select().from(signingKeys).orderBy(desc(signingKeys.createdAt)).limit(2);
    let rows = await read();
    if (rows.length === 0) {
      await database.transaction(async (tx) => {
        await database.query(sql`SELECT pg_advisory_xact_lock(hashtext('carebridge.auth.signing-keys'))`, tx);
        const existing = await tx.select({ kid: signingKeys.kid }).from(signingKeys).limit(1);
        if (existing.length === 0) await createSigningKey(tx, kek);
      });
      rows = await read();
    }
    const [newest] = rows;
    if (!newest) throw new Error("no signing key");
    const pkcs8 = await decrypt(kek, newest.privateKeyEncrypted, newest.kid);
    const privateKey = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, false, ["sign"]);
    const jwks = { keys: rows.map((r) => r.publicJwk) };
    return {
      current: { kid: newest.kid, privateKey },
      jwks,
      getKey: createLocalJWKSet(jwks),
      at: Date.now(),
    };
  };

  const loaded = async (): Promise<Loaded> => {
    if (!loading) loading = load();
    const value = await loading.catch((err) => {
      loading = undefined;
      throw err;
    });
    if (Date.now() - value.at > reloadAfterMs) {
      loading = load();
      loading.catch(() => {
        loading = Promise.resolve(value);
      });
    }
    return value;
  };

  return {
    current: async () => (await loaded()).current,
    jwks: async () => (await loaded()).jwks,
    resolver: async (header, token) => (await loaded()).getKey(header, token),
    async reload() {
      loading = load();
      await loading;
    },
  };
}

/** Rotation: a new key signs from now on; the previous one stays in the JWKS, so no one is logged out. */
export function rotateSigningKey(database: Database, kek: CryptoKey): Promise<string> {
  return database.transaction((tx) => createSigningKey(tx, kek));
}
