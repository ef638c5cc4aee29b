// The check-in scanner's service worker: keeps the scanner page and everything it loads, so
// the page opens again when the venue network is down. The page itself keeps the data
// (IndexedDB) and the queue of scans; API calls pass straight through to the network.
// The route fills in what the scanner page loads (conference/assets.py finds it from the
// page's templates) and a version that changes with those files' contents: a new file is
// never missing offline, and a changed one is fetched again under a new cache name.
const CACHE = "checkin-scanner-{{ version }}";
const ASSETS = "{{ assets | join(' ') }}".split(" ");
const STATIC_PREFIX = "{{ url_for('static', filename='') }}";
const VENDOR_PREFIX = "{{ url_for('static', filename='vendor/') }}";
const NETWORK_TIMEOUT_MS = 4000;

function pageUrl() {
  return self.registration.scope;
}

/** A response worth keeping: a real 200 from here, not a redirect to the sign-in page. */
function keepable(response) {
  return response?.ok && response.type === "basic" && !response.redirected;
}

async function store(request, response) {
  if (!keepable(response)) return;
  const cache = await caches.open(CACHE);
  await cache.put(request, response);
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await Promise.all(
        [pageUrl(), ...ASSETS].map(async (url) => {
          try {
            const response = await fetch(url, { credentials: "same-origin", cache: "no-cache" });
            if (keepable(response)) await cache.put(url, response);
          } catch {
            // Offline while installing: the page fills the cache as it is used.
          }
        }),
      );
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("checkin-scanner-") && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

/** The network, within a few seconds; else the last copy kept. */
async function networkFirst(request, cacheKey) {
  const fromCache = () => caches.match(cacheKey || request, { ignoreVary: true, ignoreSearch: !!cacheKey });
  try {
    const response = await Promise.race([
      fetch(request),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), NETWORK_TIMEOUT_MS)),
    ]);
    if (keepable(response)) {
      const copy = response.clone();
      store(cacheKey || request, copy).catch(() => {});
      return response;
    }
    if (response.status >= 500) return (await fromCache()) || response;
    return response;
  } catch {
    return (await fromCache()) || Response.error();
  }
}

/** Vendored files never change under the same (versioned) name: the cache first. */
async function cacheFirst(request) {
  const hit = await caches.match(request, { ignoreVary: true });
  if (hit) return hit;
  const response = await fetch(request);
  if (keepable(response)) store(request, response.clone()).catch(() => {});
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (url.href.split("#")[0].split("?")[0] === pageUrl()) {
      event.respondWith(networkFirst(request, pageUrl()));
    }
    return;
  }
  if (url.pathname.startsWith(VENDOR_PREFIX)) {
    event.respondWith(cacheFirst(request));
  } else if (url.pathname.startsWith(STATIC_PREFIX)) {
    event.respondWith(networkFirst(request));
  }
  // Everything else (the API: offline data, check-ins, search) goes to the network as is.
});
