import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  base64urlDecode,
  KeyRing,
  MESSAGES,
  readClaims,
  TokenError,
  verdictForRegistration,
  verifyOffline,
} from "../../static/js/checkin/token.js";
import { base64url, eventKey, person, signToken } from "./badges.js";

describe("reading a badge token", () => {
  test("base64url decoding refuses another spelling of the same bytes", () => {
    assert.deepEqual([...base64urlDecode("AQI")], [1, 2]);
    assert.throws(() => base64urlDecode("AQJ"), TokenError); // spare bits set
    assert.throws(() => base64urlDecode("AQ=="), TokenError); // padding
    assert.throws(() => base64urlDecode("A"), TokenError);
  });

  test("claims are the four varints after the version, then a 64-byte signature", () => {
    const raw = new Uint8Array([1, 2, 0x96, 0x01, 0xac, 0x02, 0, ...new Uint8Array(64)]);
    const claims = readClaims(base64url(raw));
    assert.equal(claims.keyId, 2);
    assert.equal(claims.eventId, 150);
    assert.equal(claims.registrationId, 300);
    assert.equal(claims.reissue, 0);
    assert.equal(claims.signature.length, 64);
  });

  test("ids past 2^31 stay right", () => {
    const big = 2 ** 33 + 5;
    const raw = new Uint8Array([1, 1, 1, 0x85, 0x80, 0x80, 0x80, 0x20, 0, ...new Uint8Array(64)]);
    assert.equal(readClaims(base64url(raw)).registrationId, big);
  });

  test("refusals say what is wrong, in the server's words", () => {
    const message = (token) => {
      try {
        readClaims(token);
      } catch (error) {
        return error.message;
      }
      return null;
    };
    assert.equal(message(""), MESSAGES.notBadge);
    assert.equal(message("x".repeat(201)), MESSAGES.notBadge);
    assert.equal(message(base64url([2, 1, 1, 1, 0])), MESSAGES.newerVersion);
    assert.equal(message(base64url([1, 1, 1, 1, 0, ...new Uint8Array(10)])), MESSAGES.incomplete);
    assert.equal(message(base64url([1, 1, 1, 1, 0, ...new Uint8Array(65)])), MESSAGES.notBadge);
  });
});

describe("the verdict on a person", () => {
  test("a confirmed registration is valid", () => {
    assert.equal(verdictForRegistration(person(1)).result, "ok");
  });

  test("cancelled and rejected are revoked; other statuses are not approved", () => {
    assert.equal(verdictForRegistration(person(1, { status: "cancelled" })).result, "revoked");
    assert.equal(verdictForRegistration(person(1, { status: "rejected" })).result, "revoked");
    const waiting = verdictForRegistration(person(1, { status: "waitlisted" }));
    assert.equal(waiting.result, "not_approved");
    assert.equal(waiting.message, "This registration is not confirmed (waiting list).");
  });
});

describe("verifying a token offline", async () => {
  const key = await eventKey(1);
  const data = { event_id: 7, keys: [key.entry] };
  const byId = new Map([
    [3, person(3)],
    [4, person(4, { reissue: 1 })],
  ]);
  const verify = (token, list = data) => verifyOffline(token, list, byId, new KeyRing());

  test("a genuine badge of a confirmed person is valid", async () => {
    const verdict = await verify(await signToken(key, { keyId: 1, eventId: 7, registrationId: 3 }));
    assert.equal(verdict.result, "ok");
    assert.equal(verdict.registration.id, 3);
  });

  test("a genuine badge of someone not in the list is unknown, with the id", async () => {
    const verdict = await verify(await signToken(key, { keyId: 1, eventId: 7, registrationId: 99 }));
    assert.deepEqual([verdict.result, verdict.registrationId], ["unknown", 99]);
  });

  test("another event's badge, an unknown key and a forged signature are refused", async () => {
    const other = await verify(await signToken(key, { keyId: 1, eventId: 8, registrationId: 3 }));
    assert.deepEqual([other.result, other.message], ["wrong_event", MESSAGES.wrongEvent]);
    const unknownKey = await verify(await signToken(key, { keyId: 2, eventId: 7, registrationId: 3 }));
    assert.equal(unknownKey.message, MESSAGES.unknownKey);
    const stranger = await eventKey(1);
    const forged = await verify(await signToken(stranger, { keyId: 1, eventId: 7, registrationId: 3 }));
    assert.deepEqual([forged.result, forged.message], ["invalid", MESSAGES.forged]);
  });

  test("a replaced badge and a revoked key are refused", async () => {
    const replaced = await verify(await signToken(key, { keyId: 1, eventId: 7, registrationId: 4 }));
    assert.deepEqual([replaced.result, replaced.message], ["revoked", MESSAGES.replaced]);
    const revoked = { ...data, keys: [{ ...key.entry, revoked_at: "2025-01-01T00:00:00Z" }] };
    const token = await signToken(key, { keyId: 1, eventId: 7, registrationId: 3 });
    assert.equal((await verify(token, revoked)).message, MESSAGES.keyRevoked);
  });
});
