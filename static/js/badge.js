// The "my badge" page registers a service worker scoped to this delegate's pages, so the
// badge (and everything the page loads, which the worker keeps as it installs) opens from
// the cache when the network is down.

const page = document.querySelector("[data-badge-worker]");
if (page && "serviceWorker" in navigator) {
  const script = page.getAttribute("data-badge-worker");
  navigator.serviceWorker.register(script, { scope: script.replace(/badge-sw\.js$/, "") }).catch(() => {});
}
