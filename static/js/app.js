// Page-wide behaviour for the server-rendered pages. No inline script: the CSP forbids it.
const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

// htmx requests are cookie-authenticated like forms, so they carry the CSRF token too.
document.addEventListener("htmx:configRequest", (event) => {
  event.detail.headers["X-CSRF-Token"] = csrf;
});
