// canbao service worker, version {{ version }}.
// The app shell and static files are precached in a cache named after this version; a new
// version installs beside the old one and waits until the person chooses to reload, so a
// page is never served half old, half new. Form pages live in "canbao-forms", which no
// version ever deletes: a draft made offline with a form version can always be opened.
// Records are never here: they live in IndexedDB, which an update does not touch.
const VERSION = '{{ version }}';
const SHELL_CACHE = `canbao-shell-${VERSION}`;
const FORM_CACHE = 'canbao-forms';
const PRECACHE = {{ precache | safe }};

// 'no-cache': revalidated with the server (a 304 when the page just loaded the file), so the
// new version never holds a stale file and the first load does not download the shell twice.
self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE).then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: 'no-cache' })))),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('canbao-shell-') && name !== SHELL_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/')) return; // data always comes from the network
  if (url.pathname.startsWith('/app/forms/')) {
    event.respondWith(fromCache(FORM_CACHE, url.pathname, event.request));
    return;
  }
  if (PRECACHE.includes(url.pathname)) {
    event.respondWith(fromCache(SHELL_CACHE, url.pathname, event.request));
  }
});

async function fromCache(name, key, request) {
  const cached = await (await caches.open(name)).match(key);
  return cached ?? fetch(request);
}
