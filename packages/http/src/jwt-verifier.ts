import {
  type CompactJWSHeaderParameters,
  errors,
  type FlattenedJWSInput,
  type JWSAlgorithm,
  type JWTVerifyGetKey,
  jwtVerify,
} from "jose";
import { AppError, serviceUnavailable, unauthorized } from "./errors.ts";
import { type RemoteKeySetOptions, remoteKeySet } from "./jwks-cache.ts";
import { type Principal, ROLES, type Role } from "./principal.ts";

/** Where verification keys come from: a key resolver, or a JWKS URL fetched and cached (remoteKeySet). */
export type JwtKeySource = JWTVerifyGetKey | ({ jwksUrl: string } & RemoteKeySetOptions);

/** Options of {@link createJwtVerifier}. */
export interface JwtVerifierOptions {
  issuer: string;
  audience: string;
  /** Accepted `alg` values. Default `["EdDSA", "RS256"]`; `none` and HMAC are refused. */
  algorithms?: JWSAlgorithm[];
  keys: JwtKeySource;
  /** Default 5 seconds. */
  clockToleranceSec?: number;
  /** Refuse tokens without a `kid` header. Default true. */
  requireKid?: boolean;
  /**
   * Longest an access token may live (exp − iat) and be old (now − iat). Default 900 s: the
   * contract's 15 minutes. A token minted for longer is refused even if correctly signed.
   */
  maxLifetimeSec?: number;
  /** How long a verified token is remembered (never past its exp). Default 30 000 ms; 0 disables. */
  cacheMs?: number;
  /** Most tokens remembered (oldest dropped first). Default 10 000. */
  cacheEntries?: number;
}

/** Verifies access tokens; throws a 401 `AppError` (503 when the keys cannot be fetched). */
export interface JwtVerifier {
  verify(token: string): Promise<Principal>;
}

/** `WWW-Authenticate` for a request that carried no usable token. */
export const BEARER_CHALLENGE = 'Bearer realm="carebridge"';
const INVALID_TOKEN_CHALLENGE = 'Bearer realm="carebridge", error="invalid_token"';
/** Keys must never come from the token itself. */
const FORBIDDEN_HEADERS = ["jku", "x5u", "x5c", "jwk"] as const;
const MAX_TOKEN_LENGTH = 8192;
const TOKEN_FAULTS = new Set<string>([
  errors.JOSEAlgNotAllowed.code,
  errors.JOSENotSupported.code,
  errors.JWSInvalid.code,
  errors.JWTInvalid.code,
  errors.JWSSignatureVerificationFailed.code,
  errors.JWTClaimValidationFailed.code,
  errors.JWTExpired.code,
  errors.JWKSNoMatchingKey.code,
  errors.JWKSMultipleMatchingKeys.code,
]);

/** A 401 for an invalid token; `reason` goes to logs (via `cause`), never to the client. */
export function invalidToken(reason: string): AppError {
  return unauthorized("The access token is missing, malformed, expired or not trusted.", {
    code: "invalid-token",
    headers: { "WWW-Authenticate": INVALID_TOKEN_CHALLENGE },
    cause: new Error(reason),
  });
}

function keyResolver(source: JwtKeySource): JWTVerifyGetKey {
  if (typeof source === "function") return source;
  const { jwksUrl, ...options } = source;
  return remoteKeySet(jwksUrl, options);
}

function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

function nonEmpty(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

/** Creates an access-token verifier (jose) that trusts only the configured keys and algorithms. */
export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  const algorithms = options.algorithms ?? ["EdDSA", "RS256"];
  for (const alg of algorithms) {
    if (alg === "none" || alg.startsWith("HS")) throw new TypeError(`algorithm ${alg} is not allowed`);
  }
  const resolve = keyResolver(options.keys);
  const requireKid = options.requireKid ?? true;

  const getKey = (header: CompactJWSHeaderParameters, token: FlattenedJWSInput) => {
    const present = FORBIDDEN_HEADERS.filter((name) => name in header);
    if (present.length > 0) throw invalidToken(`token header carries ${present.join(", ")}`);
    if (!algorithms.includes(header.alg)) throw invalidToken(`alg ${header.alg} not allowed`);
    if (requireKid && !nonEmpty(header.kid)) throw invalidToken("token header has no kid");
    return resolve(header, token);
  };

  const maxLifetimeSec = options.maxLifetimeSec ?? 900;
  const clockToleranceSec = options.clockToleranceSec ?? 5;
  const cacheMs = options.cacheMs ?? 30_000;
  const cacheEntries = options.cacheEntries ?? 10_000;
  // Tokens already verified, by their exact text: a hit needs the identical signed token, so it is
  // as safe as verifying again, and saves the signature check on every request of a session.
  // On a hit the token's key is still looked up (cheap) and must be the very key that verified it,
  // so a retired or replaced key takes effect at once; only the signature check is skipped.
  const verified = new Map<
    string,
    { principal: Principal; until: number; header: CompactJWSHeaderParameters; key: unknown }
  >();
  const NO_INPUT: FlattenedJWSInput = { payload: "", signature: "" };
  return {
    async verify(token) {
      const hit = verified.get(token);
      if (hit) {
        verified.delete(token);
        const current = await (async () => getKey(hit.header, NO_INPUT))().catch(() => null);
        const stillValid = hit.until > Date.now() && current === hit.key;
        if (stillValid) {
          verified.set(token, hit);
          return hit.principal;
        }
      }
      if (token.length > MAX_TOKEN_LENGTH) throw invalidToken("token too long");
      let payload: Record<string, unknown>;
      let header: CompactJWSHeaderParameters | undefined;
      let key: unknown;
      const recordingGetKey = async (h: CompactJWSHeaderParameters, input: FlattenedJWSInput) => {
        header = h;
        key = await getKey(h, input);
        return key as Awaited<ReturnType<JWTVerifyGetKey>>;
      };
      try {
        ({ payload } = await jwtVerify(token, recordingGetKey, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms,
          clockTolerance: clockToleranceSec,
          requiredClaims: ["sub", "jti", "exp", "iat", "role"],
          maxTokenAge: maxLifetimeSec + clockToleranceSec,
        }));
      } catch (err) {
        if (err instanceof AppError) throw err;
        if (err instanceof errors.JOSEError && TOKEN_FAULTS.has(err.code)) throw invalidToken(err.code);
        // The keys could not be fetched or read: the token may well be valid, so no 401.
        throw serviceUnavailable("Access tokens cannot be verified right now.", {
          code: "jwks-unavailable",
          cause: err,
        });
      }
      const { sub, jti, role, exp, iat } = payload;
      if (!nonEmpty(sub) || !nonEmpty(jti)) throw invalidToken("sub or jti empty");
      if (Number(exp) - Number(iat) > maxLifetimeSec + clockToleranceSec)
        throw invalidToken("lifetime too long");
      if (!isRole(role)) throw invalidToken("unknown role");
      const principal: Principal = { userId: sub, role, tokenId: jti };
      if (cacheMs > 0) {
        if (verified.size >= cacheEntries) verified.delete(verified.keys().next().value!);
        verified.set(token, {
          principal,
          until: Math.min(Date.now() + cacheMs, Number(exp) * 1000),
          header: header!,
          key,
        });
      }
      return principal;
    },
  };
}
