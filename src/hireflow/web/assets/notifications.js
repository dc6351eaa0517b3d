// The bell, live: when signed in (base.html renders `[data-live-notifications]`), one WebSocket
// to /api/v1/notifications/live keeps the unread count current and shows a toast per new
// notification. The socket reconnects with backoff; the server's "hello" resets the count.

const LIVE_PATH = "/api/v1/notifications/live";
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30000;
const POLICY_VIOLATION = 1008; // signed out, or not our page: don't retry

function setUnread(count) {
  document.querySelectorAll("[data-unread-count]").forEach((badge) => {
    const label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = " unread";
    badge.replaceChildren(count > 99 ? "99+" : String(count), label);
    badge.hidden = count <= 0;
  });
  document.dispatchEvent(new CustomEvent("hireflow:unread", { detail: { unread: count } }));
}

function toast(notification) {
  document.dispatchEvent(
    new CustomEvent("hireflow:toast", {
      detail: { kind: "info", title: notification.title, message: notification.body || "" },
    }),
  );
}

function handle(message) {
  // Lets tests (and styles) know the live connection is up.
  if (message.type === "hello") document.body.dataset.live = "connected";
  if (typeof message.unread === "number") setUnread(message.unread);
  if (message.type === "notification" && message.notification) toast(message.notification);
}

function connect(retryMs) {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${scheme}//${window.location.host}${LIVE_PATH}`);
  let opened = false;
  socket.addEventListener("open", () => {
    opened = true;
  });
  socket.addEventListener("message", (event) => {
    try {
      handle(JSON.parse(event.data));
    } catch {
      // not ours; ignore
    }
  });
  socket.addEventListener("close", (event) => {
    if (event.code === POLICY_VIOLATION) return;
    const wait = opened ? FIRST_RETRY_MS : retryMs;
    const jitter = Math.random() * 0.3 * wait;
    window.setTimeout(() => connect(Math.min(wait * 2, MAX_RETRY_MS)), wait + jitter);
  });
}

function start() {
  if (!document.querySelector("[data-live-notifications]") || !("WebSocket" in window)) return;
  connect(FIRST_RETRY_MS);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
