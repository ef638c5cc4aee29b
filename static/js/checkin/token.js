// Badge tokens read and verified in the browser, for when the network is down.
// The format is conference/badges/tokens.py's: base64url (no padding) of
//   version (1 byte) | key id | event id | registration id | reissue | Ed25519 signature (64)
// the four numbers unsigned LEB128 varints, the signature over DOMAIN + everything before it.
// The messages are the server's own (conference/badges/services.py check_badge), so a
// refusal reads the same online and offline.

export const VERSION = 1;
export const SIGNATURE_BYTES = 64;
export const MAX_TOKEN_CHARS = 200;
const DOMAIN = new TextEncoder().encode("conference-badge:");

export const MESSAGES = {
  notBadge: "This is not a badge code.",
  newerVersion: "This badge comes from a newer version of the system: reload the scanner.",
  incomplete: "This badge code is incomplete.",
  wrongEvent: "This badge is for another event.",
  unknownKey: "This badge was not signed by this event's keys.",
  forged: "This badge code has been altered or forged.",
  noRegistration: "This badge's registration does not exist.",
  keyRevoked: "This badge was signed with a key the organisers have revoked: print a new badge.",
  replaced: "This badge was replaced by a newer one: use the new badge.",
};

const STATUS_LABELS = {
  confirmed: "confirmed",
  pending_approval: "pending approval",
  waitlisted: "waiting list",
  rejected: "rejected",
  cancelled: "cancelled",
};

export class TokenError extends Error {
  constructor(reason, message) {
    super(message);
    this.reason = reason;
  }
}

/**
 * The bytes of unpadded base64url text; TokenError when it is not that, or not in the one
 * spelling the server issues (the spare bits of the last character clear), as the server's
 * conference/signing.py b64decode.
 */
export function base64urlDecode(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
    throw new TokenError("invalid", MESSAGES.notBadge);
  }
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  const binary = atob(b64);
  if (btoa(binary).replace(/=+$/, "") !== b64.replace(/=+$/, "")) {
    throw new TokenError("invalid", MESSAGES.notBadge);
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function readVarint(bytes, at) {
  let value = 0;
  let scale = 1;
  for (let length = 0; length < 10; length++) {
    if (at + length >= bytes.length) throw new TokenError("invalid", MESSAGES.incomplete);
    const byte = bytes[at + length];
    value += (byte & 0x7f) * scale; // multiplication, not <<, so ids past 2^31 stay right
    scale *= 128;
    if (!(byte & 0x80)) return [value, at + length + 1];
  }
  throw new TokenError("invalid", MESSAGES.notBadge);
}

/** {keyId, eventId, registrationId, reissue, signed, signature} before any signature check. */
export function readClaims(token) {
  const text = (token || "").trim();
  if (!text || text.length > MAX_TOKEN_CHARS) throw new TokenError("invalid", MESSAGES.notBadge);
  const raw = base64urlDecode(text);
  if (!raw.length || raw[0] === 0 || raw[0] > 15) throw new TokenError("invalid", MESSAGES.notBadge);
  if (raw[0] !== VERSION) throw new TokenError("invalid", MESSAGES.newerVersion);
  let at = 1;
  const numbers = [];
  for (let i = 0; i < 4; i++) {
    const [value, next] = readVarint(raw, at);
    numbers.push(value);
    at = next;
  }
  if (raw.length - at < SIGNATURE_BYTES) throw new TokenError("invalid", MESSAGES.incomplete);
  if (raw.length - at > SIGNATURE_BYTES) throw new TokenError("invalid", MESSAGES.notBadge);
  const [keyId, eventId, registrationId, reissue] = numbers;
  return {
    keyId,
    eventId,
    registrationId,
    reissue,
    signed: raw.slice(0, at),
    signature: raw.slice(at),
  };
}

/** Whether this browser verifies Ed25519 signatures with WebCrypto. */
export async function ed25519Supported() {
  if (!globalThis.crypto || !crypto.subtle) return false;
  try {
    await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
    return true;
  } catch {
    return false;
  }
}

/** Imports and remembers the event's public keys; verify() with them. */
export class KeyRing {
  constructor() {
    this.imported = new Map(); // "id:base64" -> Promise<CryptoKey>
  }

  cryptoKey(key) {
    const id = `${key.key_id}:${key.public_key}`;
    if (!this.imported.has(id)) {
      const bytes = base64urlDecode(key.public_key);
      const promise = crypto.subtle.importKey("raw", bytes, { name: "Ed25519" }, false, ["verify"]);
      promise.catch(() => this.imported.delete(id));
      this.imported.set(id, promise);
    }
    return this.imported.get(id);
  }

  async verify(key, claims) {
    const message = new Uint8Array(DOMAIN.length + claims.signed.length);
    message.set(DOMAIN, 0);
    message.set(claims.signed, DOMAIN.length);
    const cryptoKey = await this.cryptoKey(key);
    return crypto.subtle.verify({ name: "Ed25519" }, cryptoKey, claims.signature, message);
  }
}

/**
 * The offline verdict on a scanned token, in the server's vocabulary:
 * {result: "ok"|"invalid"|"wrong_event"|"revoked"|"not_approved"|"unknown", message,
 *  registration (or null)}. "unknown" is a genuine badge of this event whose registration is
 * not in this device's list (made after the list was fetched).
 * ``data`` is the offline payload; ``byId`` maps registration id -> registration.
 */
export async function verifyOffline(token, data, byId, keyRing) {
  let claims;
  try {
    claims = readClaims(token);
  } catch (error) {
    if (error instanceof TokenError) return refusal(error.reason, error.message);
    throw error;
  }
  if (claims.eventId !== data.event_id) return refusal("wrong_event", MESSAGES.wrongEvent);
  const key = (data.keys || []).find((k) => k.key_id === claims.keyId);
  if (!key) return refusal("invalid", MESSAGES.unknownKey);
  let genuine = false;
  try {
    genuine = await keyRing.verify(key, claims);
  } catch {
    genuine = false; // a key this browser cannot import, or no Ed25519 at all
  }
  if (!genuine) return refusal("invalid", MESSAGES.forged);
  const registration = byId.get(claims.registrationId) || null;
  if (!registration) {
    return { result: "unknown", message: "", registration: null, registrationId: claims.registrationId };
  }
  if (key.revoked_at) return refusal("revoked", MESSAGES.keyRevoked, registration);
  if (claims.reissue !== (registration.reissue ?? 0)) {
    return refusal("revoked", MESSAGES.replaced, registration);
  }
  return verdictForRegistration(registration);
}

/** The verdict for a person chosen by hand (forgotten badge), or after a genuine token. */
export function verdictForRegistration(registration) {
  const status = registration.status;
  if (status === "cancelled" || status === "rejected") {
    return refusal("revoked", `This registration is ${status}.`, registration);
  }
  if (status && status !== "confirmed") {
    const label = STATUS_LABELS[status] || status.replace(/_/g, " ");
    return refusal("not_approved", `This registration is not confirmed (${label}).`, registration);
  }
  return { result: "ok", message: "Valid badge.", registration };
}

function refusal(result, message, registration = null) {
  return { result, message, registration };
}
