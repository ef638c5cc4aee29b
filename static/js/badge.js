// The "my badge" page registers a service worker scoped to this delegate's pages, so the
// badge (and the page's CSS and scripts) open from the cache when the network is down.
(function () {
  "use strict";
  var page = document.querySelector("[data-badge-worker]");
  if (!page || !("serviceWorker" in navigator)) return;
  var script = page.getAttribute("data-badge-worker");
  navigator.serviceWorker.register(script, { scope: script.replace(/badge-sw\.js$/, "") })
    .then(function () {
      // Warm the cache with what the page needs.
      var urls = [window.location.href];
      document.querySelectorAll('link[rel="stylesheet"], script[src]').forEach(function (el) {
        urls.push(el.href || el.src);
      });
      return caches.open("my-badge-v1").then(function (cache) { return cache.addAll(urls); });
    })
    .catch(function () {});
})();
