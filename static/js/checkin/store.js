// What the scanner keeps on the device (IndexedDB), so it works without the network:
//   offline  the event's offline data (keys, registrations, today's arrivals), per event
//   queue    scans waiting to be sent, with their original time and client_ref
//   seen     who was checked in on this device, per event-local day and per session (for
//            amber offline)

const DB_NAME = "conference-checkin";
const DB_VERSION = 1;

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function done(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error || new Error("transaction aborted"));
  });
}

export class Store {
  static async open() {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains("offline")) db.createObjectStore("offline", { keyPath: "event" });
      if (!db.objectStoreNames.contains("queue")) {
        const queue = db.createObjectStore("queue", { keyPath: "client_ref" });
        queue.createIndex("event", "event");
      }
      if (!db.objectStoreNames.contains("seen")) {
        const seen = db.createObjectStore("seen", { keyPath: "key" });
        seen.createIndex("event", "event");
      }
    };
    return new Store(await promised(request));
  }

  constructor(db) {
    this.db = db;
  }

  async get(storeName, key) {
    const tx = this.db.transaction(storeName, "readonly");
    return promised(tx.objectStore(storeName).get(key));
  }

  async put(storeName, value) {
    const tx = this.db.transaction(storeName, "readwrite");
    tx.objectStore(storeName).put(value);
    return done(tx);
  }

  async delete(storeName, key) {
    const tx = this.db.transaction(storeName, "readwrite");
    tx.objectStore(storeName).delete(key);
    return done(tx);
  }

  async allForEvent(storeName, event) {
    const tx = this.db.transaction(storeName, "readonly");
    return promised(tx.objectStore(storeName).index("event").getAll(event));
  }

  // Offline data ---------------------------------------------------------------

  offlineData(event) {
    return this.get("offline", event);
  }

  saveOfflineData(event, data) {
    return this.put("offline", { event, data, saved_at: new Date().toISOString() });
  }

  // The queue ------------------------------------------------------------------

  /** Queued scans of the event, oldest scan first; state "pending" or "refused". */
  async queued(event) {
    const items = await this.allForEvent("queue", event);
    return items.sort((a, b) => (a.body.scanned_at < b.body.scanned_at ? -1 : 1));
  }

  enqueue(event, body, local) {
    return this.put("queue", {
      client_ref: body.client_ref,
      event,
      body,
      local, // what this device answered, for the list of scans refused at sync
      state: "pending",
      queued_at: new Date().toISOString(),
    });
  }

  // Who was seen on this device --------------------------------------------------

  // One record per check-in scope: the day (entrance) or a session (room) on that day.
  static seenKey(event, day, registrationId, sessionId) {
    return sessionId
      ? `${event}|${day}|session:${sessionId}|${registrationId}`
      : `${event}|${day}|${registrationId}`;
  }

  seen(event, day, registrationId, sessionId = null) {
    return this.get("seen", Store.seenKey(event, day, registrationId, sessionId));
  }

  async markSeen(event, day, registrationId, at, station, sessionId = null) {
    const key = Store.seenKey(event, day, registrationId, sessionId);
    const existing = await this.get("seen", key);
    if (existing && existing.at <= at) return existing; // the earliest scan is the one shown
    const record = { key, event, day, session_id: sessionId, registration_id: registrationId, at, station };
    await this.put("seen", record);
    return record;
  }

  /** Forget what was seen on days before ``today`` (ISO dates compare as text). */
  async pruneSeen(event, today) {
    const items = await this.allForEvent("seen", event);
    const tx = this.db.transaction("seen", "readwrite");
    for (const item of items) if (item.day < today) tx.objectStore("seen").delete(item.key);
    return done(tx);
  }
}
