// AI interview behaviours (imported by app.js): the recruiter's "Copy link" button, and on the
// candidate's question page the countdown, the code editor's Tab/Enter keys, the answer draft
// kept in localStorage, and the "Finish now" confirmation. Every page works without this file.

// --- Copy link ---------------------------------------------------------------------------------

function copyStatus(button, text) {
  const status = button.closest(".field")?.querySelector("[data-copy-status]");
  if (status) status.textContent = text;
}

async function copyFrom(button) {
  const input = document.getElementById(button.dataset.copyTarget);
  if (!input) return;
  input.focus();
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
    copyStatus(button, "Link copied.");
  } catch {
    // No clipboard access (an insecure origin, a refused permission): the text is selected,
    // so the usual copy shortcut works.
    copyStatus(button, "Press Ctrl+C (⌘C on a Mac) to copy the selected link.");
  }
}

function initCopyButtons(root) {
  root.querySelectorAll?.("[data-copy-target]").forEach((button) => {
    button.hidden = false;
  });
}

document.addEventListener("click", (event) => {
  const button = event.target.closest?.("[data-copy-target]");
  if (button) copyFrom(button);
});

document.addEventListener("focusin", (event) => {
  if (event.target.matches?.("[data-select-on-focus]")) event.target.select();
});

// --- Countdown -------------------------------------------------------------------------------

function formatLeft(seconds) {
  const minutes = Math.floor(seconds / 60);
  const rest = String(seconds % 60).padStart(2, "0");
  return `${minutes}:${rest} left`;
}

function initCountdown(root) {
  const timer = root.querySelector?.("[data-countdown]");
  if (!timer || timer.dataset.counting !== undefined) return;
  timer.dataset.counting = "";
  const deadline = Date.now() + Number(timer.dataset.countdown) * 1000;
  const tick = () => {
    const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    if (left === 0) {
      timer.textContent = "Time is up: send your answer now.";
      timer.classList.add("interview-timer-up");
      return;
    }
    timer.textContent = formatLeft(left);
    // Screen readers hear the time at whole minutes only, not every second.
    timer.setAttribute("aria-live", left % 60 === 0 ? "polite" : "off");
    window.setTimeout(tick, 1000);
  };
  tick();
}

// --- Code editor -----------------------------------------------------------------------------

const INDENT = "    ";

function insertText(area, text) {
  const { selectionStart: start, selectionEnd: end, value } = area;
  area.value = value.slice(0, start) + text + value.slice(end);
  area.selectionStart = area.selectionEnd = start + text.length;
  area.dispatchEvent(new Event("input", { bubbles: true }));
}

document.addEventListener("keydown", (event) => {
  const area = event.target;
  if (!area.matches?.("textarea[data-code-editor]")) return;
  if (event.key === "Escape") {
    // The next Tab leaves the editor, so keyboard users are never trapped in it.
    area.dataset.tabLeaves = "";
    return;
  }
  if (event.key === "Tab" && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey) {
    if (area.dataset.tabLeaves !== undefined) {
      delete area.dataset.tabLeaves;
      return;
    }
    event.preventDefault();
    insertText(area, INDENT);
    return;
  }
  delete area.dataset.tabLeaves;
  if (event.key === "Enter" && !event.shiftKey && !event.ctrlKey && !event.metaKey) {
    // Keep the current line's indentation.
    const before = area.value.slice(0, area.selectionStart);
    const line = before.slice(before.lastIndexOf("\n") + 1);
    const indent = line.match(/^[ \t]*/)[0];
    if (indent) {
      event.preventDefault();
      insertText(area, "\n" + indent);
    }
  }
});

// --- Answer drafts ---------------------------------------------------------------------------

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null; // storage disabled: drafts are simply not kept
  }
}

function initDraft(root) {
  const form = root.querySelector?.("form[data-draft-key]");
  const store = storage();
  if (!form || !store || form.dataset.draftReady !== undefined) return;
  form.dataset.draftReady = "";
  const key = form.dataset.draftKey;
  const area = form.querySelector("textarea[name='answer']");
  if (!key || !area) return;
  const saved = store.getItem(key);
  // Restore only over what the page brought (empty, or the starter code), never over typing.
  if (saved !== null && saved !== area.value && area.value === area.defaultValue) {
    area.value = saved;
  }
  area.addEventListener("input", () => {
    try {
      store.setItem(key, area.value);
    } catch {
      // storage full: keep going without a draft
    }
  });
  form.addEventListener("submit", () => store.removeItem(key));
}

// --- Finish now ------------------------------------------------------------------------------

document.addEventListener("submit", (event) => {
  const message = event.target.dataset?.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

function init(root) {
  initCopyButtons(root);
  initCountdown(root);
  initDraft(root);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => init(document));
} else {
  init(document);
}
