// Keeps the delegate's badge page for when the venue network drops: network first, the
// last copy when offline. The page and everything it loads are kept from the start; the
// route fills in the list (conference/assets.py finds it from the page's templates) and a
// version that changes with those files' contents.
const CACHE = "my-badge-{{ version }}";
const PAGE = "{{ page }}";
const ASSETS = "{{ assets | join(' ') }}".split(" ");

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // One at a time is kept or skipped: offline while installing, the page fills the cache.
      await Promise.all([PAGE, ...ASSETS].map((url) => cache.add(url).catch(() => {})));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("my-badge-") && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  if (event.request.method !== "GET") return;
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(event.request, copy));
        }
        return response;
      })
      .catch(() => caches.match(event.request).then((hit) => hit || Response.error())),
  );
});
