// Front-end entry point: htmx plus the few behaviours the design system needs.
import htmx from "htmx.org";

window.htmx = htmx;

// Error responses (4xx/5xx) carry a toast fragment that the server retargets to #toasts.
htmx.config.responseHandling = [
  { code: "204", swap: false },
  { code: "[23]..", swap: true },
  { code: "[45]..", swap: true, error: true },
];

document.addEventListener("click", (event) => {
  const close = event.target.closest(".toast-close");
  if (close) close.closest(".toast").remove();
});
