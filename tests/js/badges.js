// Badge tokens made here as the server makes them (conference/badges/tokens.py), and an
// event's offline list around them, for the scanner's tests.

const DOMAIN = new TextEncoder().encode("conference-badge:");

function varint(n) {
  const bytes = [];
  let rest = n;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return bytes;
}

export function base64url(bytes) {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** An Ed25519 key pair and its entry in the offline list's ``keys``. */
export async function eventKey(keyId, revokedAt = null) {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  return { pair, entry: { key_id: keyId, public_key: base64url(raw), revoked_at: revokedAt } };
}

/** A signed badge token for these claims. */
export async function signToken(key, { keyId, eventId, registrationId, reissue = 0 }) {
  const body = Uint8Array.from([1, ...[keyId, eventId, registrationId, reissue].flatMap(varint)]);
  const message = new Uint8Array([...DOMAIN, ...body]);
  const signature = new Uint8Array(
    await crypto.subtle.sign({ name: "Ed25519" }, key.pair.privateKey, message),
  );
  return base64url(new Uint8Array([...body, ...signature]));
}

export function person(id, extra = {}) {
  return { id, name: `Delegate ${id}`, status: "confirmed", reissue: 0, ...extra };
}
