// Front-end entry point: htmx plus the few behaviours the design system needs (navigation toggle,
// toasts). Everything is wired here with listeners: the CSP forbids inline scripts and handlers.
import htmx from "htmx.org";

window.htmx = htmx;

// Error responses (4xx/5xx) carry a toast fragment that the server retargets to #toasts.
htmx.config.responseHandling = [
  { code: "204", swap: false },
  { code: "[23]..", swap: true },
  { code: "[45]..", swap: true, error: true },
];

const TOAST_REGION = "toasts";
const AUTO_DISMISS_MS = 6000;

// --- Toasts ------------------------------------------------------------------------------

function dismissToast(toast) {
  if (!toast || toast.dataset.leaving !== undefined) return;
  toast.dataset.leaving = "";
  const reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  window.setTimeout(() => toast.remove(), reduced ? 0 : 200);
}

// Success and info toasts leave by themselves, unless the pointer or focus is on them;
// errors stay until dismissed, so they can't vanish before they are read.
function scheduleAutoDismiss(toast) {
  if (toast.dataset.autoDismiss === undefined || toast.dataset.scheduled !== undefined) return;
  if (!toast.closest(`#${TOAST_REGION}`)) return; // examples on the styleguide stay put
  toast.dataset.scheduled = "";
  let timer;
  const start = () => {
    timer = window.setTimeout(() => dismissToast(toast), AUTO_DISMISS_MS);
  };
  const stop = () => window.clearTimeout(timer);
  toast.addEventListener("mouseenter", stop);
  toast.addEventListener("focusin", stop);
  toast.addEventListener("mouseleave", start);
  toast.addEventListener("focusout", start);
  start();
}

function initToasts(root) {
  const toasts = root.matches?.(".toast") ? [root] : root.querySelectorAll?.(".toast") || [];
  toasts.forEach(scheduleAutoDismiss);
}

// A toast built in the browser, for failures that never reached the server.
function showToast(kind, title, message) {
  const region = document.getElementById(TOAST_REGION);
  if (!region) return;
  const toast = document.createElement("div");
  toast.className = `toast toast-${kind}`;
  toast.setAttribute("role", kind === "error" ? "alert" : "status");
  const body = document.createElement("div");
  body.className = "toast-body";
  const heading = document.createElement("p");
  heading.className = "toast-title";
  heading.textContent = title;
  const text = document.createElement("p");
  text.className = "toast-message";
  text.textContent = message;
  body.append(heading, text);
  const close = document.createElement("button");
  close.type = "button";
  close.className = "toast-close";
  close.setAttribute("aria-label", "Dismiss notification");
  close.textContent = "×";
  toast.append(body, close);
  if (kind !== "error") toast.dataset.autoDismiss = "";
  region.append(toast);
  scheduleAutoDismiss(toast);
}

// Other modules ask for a toast with an event: `hireflow:toast` with {kind, title, message}.
document.addEventListener("hireflow:toast", (event) => {
  const { kind, title, message } = event.detail || {};
  if (title) showToast(kind || "info", title, message || "");
});

document.addEventListener("click", (event) => {
  const close = event.target.closest(".toast-close");
  if (close) dismissToast(close.closest(".toast"));
});

// A request that got no answer at all (server down, network gone).
document.addEventListener("htmx:sendError", () => {
  showToast("error", "No connection", "The server could not be reached. Check the connection and try again.");
});

// An error answer that is not one of ours (e.g. a proxy's 502 page) must not be swapped into the
// page: only answers the server retargeted to the toast region are shown.
document.addEventListener("htmx:beforeSwap", (event) => {
  const { xhr, isError } = event.detail;
  if (!isError || xhr.getResponseHeader("HX-Retarget")) return;
  event.detail.shouldSwap = false;
  showToast("error", `Request failed (${xhr.status})`, "The server answered with an error. Try again in a moment.");
});

// While a request runs, its element says so to assistive technology too.
document.addEventListener("htmx:beforeRequest", (event) => event.detail.elt.setAttribute("aria-busy", "true"));
document.addEventListener("htmx:afterRequest", (event) => event.detail.elt.removeAttribute("aria-busy"));

// --- Navigation toggle (small screens) ---------------------------------------------------

function setNavOpen(bar, open) {
  const toggle = bar.querySelector(".nav-toggle");
  if (open) bar.setAttribute("data-nav-open", "");
  else bar.removeAttribute("data-nav-open");
  toggle?.setAttribute("aria-expanded", String(open));
}

document.addEventListener("click", (event) => {
  const toggle = event.target.closest(".nav-toggle");
  if (!toggle) return;
  const bar = toggle.closest(".topbar");
  setNavOpen(bar, !bar.hasAttribute("data-nav-open"));
});

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const bar = document.querySelector(".topbar[data-nav-open]");
  if (bar) {
    setNavOpen(bar, false);
    bar.querySelector(".nav-toggle")?.focus();
  }
});

htmx.onLoad(initToasts);

import "./pipeline.js";
import "./interviews.js";
import "./notifications.js";
