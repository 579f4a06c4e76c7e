// Building blocks for every page: a DOM builder (text is always text, never HTML), tables, paging,
// form errors at their fields, toasts, confirmations, switches and charts (uPlot, loaded on first use).

import { base } from "./api.js";
import { fmt } from "./i18n.js";

let uid = 0;
/** A document-unique id for label/aria wiring: nextId("price") → "price-7". */
export function nextId(prefix = "id") {
  uid += 1;
  return prefix + "-" + uid;
}

/**
 * h("button", {class: "primary", onclick: fn, disabled: true}, "Save") → an element.
 * Attributes: class, dataset ({}), style ({}), on<event> (functions), booleans (true → present, false → absent),
 * everything else setAttribute. Children: strings (as text), nodes, arrays, null/false (skipped).
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "style") Object.assign(el.style, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "value" && "value" in el) el.value = value;
    else if (key === "checked" || key === "selected") el[key] = Boolean(value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** A page heading with optional actions on the right. */
export function pageHeader(title, ...actions) {
  return h("div", { class: "page-header" }, h("h1", { tabindex: "-1" }, title), h("div", { class: "actions" }, actions));
}

export function card(title, ...children) {
  return h("section", { class: "card" }, title ? h("h2", null, title) : null, children);
}

export function badge(text, kind = "neutral") {
  return h("span", { class: "badge badge-" + kind }, text);
}

export function spinner(label = "…") {
  return h("div", { class: "loading", role: "status" }, h("span", { class: "spin", "aria-hidden": "true" }), label);
}

export function emptyState(text, ...actions) {
  return h("div", { class: "empty" }, h("p", null, text), actions);
}

/** A figure: label, big number, optional note under it. */
export function stat(label, value, note) {
  return h(
    "div",
    { class: "stat" },
    h("div", { class: "stat-label" }, label),
    h("div", { class: "stat-value" }, value),
    note ? h("div", { class: "stat-note" }, note) : null,
  );
}

/**
 * table({columns: [{label, value: row => text|node, class?, align?: "end"}], rows, empty, caption?})
 * A real <table> (scrolls sideways on a phone) with an empty-state row.
 */
export function table({ columns, rows, empty, caption, stack = true, wide = false }) {
  const head = h(
    "thead",
    null,
    h(
      "tr",
      null,
      columns.map((c) => h("th", { scope: "col", class: [c.class, c.align === "end" && "num"] }, c.label)),
    ),
  );
  const body = h("tbody");
  if (!rows || rows.length === 0) {
    body.append(h("tr", null, h("td", { colspan: columns.length, class: "empty-row" }, empty || "—")));
  } else {
    for (const row of rows) {
      body.append(
        h(
          "tr",
          null,
          columns.map((c) => h("td", { class: [c.class, c.align === "end" && "num"], "data-label": c.label }, c.value(row))),
        ),
      );
    }
  }
  return h(
    "div",
    { class: ["table-wrap", stack && "stack", wide && "wide"] },
    h("table", null, caption ? h("caption", { class: "sr-only" }, caption) : null, head, body),
  );
}

/** Append more rows to a table() made earlier (cursor paging). */
export function appendRows(wrap, columns, rows) {
  const body = wrap.querySelector("tbody");
  const empty = body.querySelector(".empty-row");
  if (empty && rows.length) empty.parentElement.remove();
  for (const row of rows) {
    body.append(
      h(
        "tr",
        null,
        columns.map((c) => h("td", { class: [c.class, c.align === "end" && "num"], "data-label": c.label }, c.value(row))),
      ),
    );
  }
}

/**
 * Cursor paging: `loadPage(cursor)` → {items, next_cursor} (or a promise of it) and renders them itself;
 * pager() calls it once, then shows a "More" button while there is a next cursor.
 */
export function pager(el, loadPage, { moreLabel = "More", errorText } = {}) {
  const button = h("button", { type: "button", class: "secondary" }, moreLabel);
  const status = h("span", { class: "pager-status", role: "status" });
  const bar = h("div", { class: "pager" }, button, status);
  let cursor = null;
  async function next() {
    button.disabled = true;
    status.textContent = "";
    try {
      const page = await loadPage(cursor);
      cursor = (page && (page.next_cursor || page.cursor)) || null;
      bar.hidden = !cursor;
    } catch (e) {
      status.textContent = errorText ? errorText(e) : e.message;
      bar.hidden = false;
    } finally {
      button.disabled = false;
    }
  }
  button.addEventListener("click", next);
  bar.hidden = true;
  el.append(bar);
  return next();
}

/** One labelled form field with its hint and error slot; `input` is the control (h("input", {name, ...})). */
export function field(label, input, { hint, class: cls } = {}) {
  const id = input.id || nextId(input.name || "field");
  input.id = id;
  const hintEl = hint ? h("div", { class: "hint", id: id + "-hint" }, hint) : null;
  if (hintEl) input.setAttribute("aria-describedby", hintEl.id);
  const error = h("div", { class: "field-error", id: id + "-error", hidden: true });
  return h("div", { class: ["field", cls] }, h("label", { for: id }, label), input, hintEl, error);
}

/** Remove the errors formErrors() put on a form. */
export function clearErrors(form) {
  for (const el of form.querySelectorAll("[aria-invalid]")) {
    el.removeAttribute("aria-invalid");
    const hint = document.getElementById(el.id + "-hint");
    if (hint) el.setAttribute("aria-describedby", hint.id);
    else el.removeAttribute("aria-describedby");
  }
  for (const el of form.querySelectorAll(".field-error")) {
    el.textContent = "";
    el.hidden = true;
  }
  const summary = form.querySelector(".form-summary");
  if (summary) {
    summary.textContent = "";
    summary.hidden = true;
  }
}

function controlFor(form, path) {
  const candidates = [path, path.replace(/\.(\d+)(?=\.|$)/g, "[$1]"), path.split(".").slice(-1)[0]];
  for (const name of candidates) {
    const el = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (el) return el;
  }
  // a nested path with no control of its own (discount.value_off) shows at its closest named parent
  const parts = path.split(".");
  while (parts.length > 1) {
    parts.pop();
    const el = form.querySelector(`[name="${CSS.escape(parts.join("."))}"]`);
    if (el) return el;
  }
  return null;
}

/**
 * The API's validation errors at their fields: each `details.fields[i]` ({field: "discount.percent_off",
 * message}) is shown next to the control named like the field (dots), which gets aria-invalid and
 * aria-describedby; errors without a control (or a non-field error) go to the form's summary. Focuses the
 * first invalid control. Returns how many errors found a field.
 */
export function formErrors(form, apiError, { fallback } = {}) {
  clearErrors(form);
  const details = (apiError && apiError.details) || {};
  const fields = Array.isArray(details.fields) ? details.fields.slice() : [];
  if (!fields.length && typeof details.field === "string") fields.push({ field: details.field, message: apiError.message });
  let first = null;
  let placed = 0;
  const leftover = [];
  for (const f of fields) {
    const path = String(f.field || "").replace(/^body\./, "");
    const control = path ? controlFor(form, path) : null;
    if (!control) {
      leftover.push((path ? path + ": " : "") + (f.message || ""));
      continue;
    }
    placed += 1;
    let slot = document.getElementById(control.id + "-error");
    if (!slot) {
      slot = h("div", { class: "field-error", id: (control.id || (control.id = nextId("field"))) + "-error" });
      control.insertAdjacentElement("afterend", slot);
    }
    slot.textContent = slot.textContent ? slot.textContent + " " + (f.message || "") : f.message || apiError.message;
    slot.hidden = false;
    control.setAttribute("aria-invalid", "true");
    const hint = document.getElementById(control.id + "-hint");
    control.setAttribute("aria-describedby", [slot.id, hint && hint.id].filter(Boolean).join(" "));
    const section = control.closest("details");
    if (section) section.open = true;
    if (!first) first = control;
  }
  let summary = form.querySelector(".form-summary");
  if (!summary) {
    summary = h("div", { class: "form-summary", role: "alert", hidden: true });
    form.prepend(summary);
  }
  if (leftover.length || !placed) {
    const text = leftover.length ? leftover.join(" · ") : (fallback && fallback(apiError)) || apiError.message;
    summary.textContent = text;
    summary.hidden = false;
    if (!first) summary.setAttribute("tabindex", "-1");
    if (!first) summary.focus();
  }
  if (first) first.focus();
  return placed;
}

let toasts = null;
/** A short message that goes away by itself (errors stay until closed). kind: info, success, error. */
export function toast(message, kind = "info") {
  if (!toasts || !toasts.isConnected) {
    toasts = h("div", { class: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(toasts);
  }
  const close = h("button", { type: "button", class: "toast-close", "aria-label": "×" }, "×");
  const el = h("div", { class: "toast toast-" + kind, role: kind === "error" ? "alert" : null }, h("span", null, message), close);
  close.addEventListener("click", () => el.remove());
  toasts.append(el);
  if (kind !== "error") setTimeout(() => el.remove(), 4000);
  return el;
}

/** A modal question (a real <dialog>): resolves true (confirm) or false (cancel, Escape). */
export function confirmDialog(text, { confirmLabel = "OK", cancelLabel = "Cancel", danger = false, title } = {}) {
  return new Promise((resolve) => {
    const yes = h("button", { type: "button", class: danger ? "danger" : "primary" }, confirmLabel);
    const no = h("button", { type: "button", class: "secondary" }, cancelLabel);
    const titleId = nextId("dialog-title");
    const dialog = h(
      "dialog",
      { class: "dialog", "aria-labelledby": titleId },
      h("h2", { id: titleId }, title || text),
      title ? h("p", null, text) : null,
      h("div", { class: "dialog-actions" }, no, yes),
    );
    function done(value) {
      dialog.close();
      dialog.remove();
      resolve(value);
    }
    yes.addEventListener("click", () => done(true));
    no.addEventListener("click", () => done(false));
    dialog.addEventListener("cancel", (e) => {
      e.preventDefault();
      done(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    no.focus();
  });
}

/**
 * An on/off switch: a real button (role=switch, aria-checked). `onChange(next)` may return a promise;
 * the switch is busy meanwhile and goes back if it rejects.
 */
export function switchToggle({ checked, label, onChange, disabled = false, showLabel = false, onText, offText }) {
  const state = h("span", { class: "switch-state", "aria-hidden": "true" });
  const button = h(
    "button",
    { type: "button", role: "switch", class: "switch", "aria-checked": String(Boolean(checked)), "aria-label": showLabel ? null : label, disabled },
    h("span", { class: "switch-track", "aria-hidden": "true" }, h("span", { class: "switch-thumb" })),
    showLabel ? h("span", { class: "switch-label" }, label) : null,
    onText || offText ? state : null,
  );
  const setState = (value) => {
    button.setAttribute("aria-checked", String(value));
    state.textContent = value ? onText || "" : offText || "";
  };
  setState(Boolean(checked));
  button.addEventListener("click", async () => {
    const next = button.getAttribute("aria-checked") !== "true";
    setState(next);
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    try {
      await onChange(next);
    } catch (e) {
      setState(!next);
    } finally {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  });
  return button;
}

/** Tabs over panels: [{id, label, render: (panel) => void}] (rendered on first show). */
export function tabs(items, { selected } = {}) {
  const list = h("div", { class: "tabs", role: "tablist" });
  const panels = h("div", { class: "tab-panels" });
  const rendered = new Set();
  const buttons = items.map((item) =>
    h("button", { type: "button", role: "tab", id: "tab-" + item.id, "aria-controls": "panel-" + item.id, class: "tab" }, item.label),
  );
  const panelEls = items.map((item) => h("div", { role: "tabpanel", id: "panel-" + item.id, "aria-labelledby": "tab-" + item.id, tabindex: "0" }));
  function show(i) {
    buttons.forEach((b, j) => {
      b.setAttribute("aria-selected", String(i === j));
      b.tabIndex = i === j ? 0 : -1;
      panelEls[j].hidden = i !== j;
    });
    if (!rendered.has(i)) {
      rendered.add(i);
      items[i].render(panelEls[i]);
    }
  }
  buttons.forEach((b, i) => {
    b.addEventListener("click", () => show(i));
    b.addEventListener("keydown", (e) => {
      const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
      if (!step) return;
      const j = (i + step + items.length) % items.length;
      buttons[j].focus();
      show(j);
    });
  });
  list.append(...buttons);
  panels.append(...panelEls);
  show(Math.max(0, items.findIndex((x) => x.id === selected)));
  return h("div", { class: "tabs-wrap" }, list, panels);
}

// ---------------------------------------------------------------------------------------- charts
let uplotLoading = null;
/** uPlot (vendored, static/vendor/uplot) loaded once, on the first chart: pages without charts never fetch it. */
export function loadUplot() {
  if (window.uPlot) return Promise.resolve(window.uPlot);
  if (!uplotLoading) {
    const root = base + "/admin/static/vendor/uplot/";
    uplotLoading = new Promise((resolve, reject) => {
      document.head.append(h("link", { rel: "stylesheet", href: root + "uPlot.min.css" }));
      const script = h("script", { src: root + "uPlot.iife.min.js" });
      script.addEventListener("load", () => resolve(window.uPlot));
      script.addEventListener("error", () => {
        uplotLoading = null;
        reject(new Error("uPlot failed to load"));
      });
      document.head.append(script);
    });
  }
  return uplotLoading;
}

export const PALETTE = ["#3f3cbb", "#0f8a6c", "#c2410c", "#b4236b", "#1d6fb8", "#7a5c00"];

/**
 * A line chart of daily figures: chart(el, {days: ["2026-12-01", ...], series: [{label, values, color?}],
 * format?: v => text, height?}). Sized to its container (and follows it). Resolves to the uPlot instance.
 * A visually hidden table carries the same figures for screen readers.
 */
export async function chart(el, { days, series, format, height = 220, label }) {
  const uPlot = await loadUplot();
  const xs = days.map((d) => Date.parse(String(d).length === 10 ? d + "T00:00:00Z" : d) / 1000);
  const show = format || ((v) => fmt.number(v));
  const holder = h("div", { class: "chart", role: "img", "aria-label": label || series.map((s) => s.label).join(", ") });
  const sr = h(
    "div",
    { class: "sr-only" },
    h(
      "table",
      null,
      h("caption", null, label || ""),
      h("tr", null, h("td", null, ""), series.map((s) => h("th", { scope: "col" }, s.label))),
      days.map((d, i) => h("tr", null, h("th", { scope: "row" }, fmt.day(d)), series.map((s) => h("td", null, show(s.values[i] ?? 0))))),
    ),
  );
  el.classList.add("chart-box");
  clear(el).append(holder, sr);
  const width = () => Math.max(260, Math.floor(el.clientWidth || 600));
  const plot = new uPlot(
    {
      width: width(),
      height,
      cursor: { drag: { x: false, y: false } },
      legend: { show: true },
      scales: { x: { time: true } },
      axes: [
        {
          stroke: "#4b5563",
          grid: { stroke: "#eef0f3" },
          ticks: { stroke: "#e5e7eb" },
          values: (u, splits) => splits.map((s) => fmt.day(new Date(s * 1000).toISOString().slice(0, 10))),
        },
        {
          stroke: "#4b5563",
          grid: { stroke: "#eef0f3" },
          ticks: { stroke: "#e5e7eb" },
          size: 64,
          values: (u, splits) => splits.map((v) => show(v)),
        },
      ],
      series: [
        { value: (u, v) => (v == null ? "" : fmt.day(new Date(v * 1000).toISOString().slice(0, 10))) },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: s.color || PALETTE[i % PALETTE.length],
          width: 2,
          fill: series.length === 1 ? (s.color || PALETTE[i % PALETTE.length]) + "1a" : undefined,
          points: { show: days.length <= 31 },
          value: (u, v) => (v == null ? "" : show(v)),
        })),
      ],
    },
    [xs, ...series.map((s) => s.values.map((v) => v ?? 0))],
    holder,
  );
  // Follow the window's width (a window resize is what changes a chart's box: breakpoints, rotation). A
  // ResizeObserver on the box would also see the chart's own growth and report a resize loop.
  let lastWidth = width();
  let frame = 0;
  const onResize = () => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => {
      if (!holder.isConnected) {
        window.removeEventListener("resize", onResize);
        plot.destroy();
        return;
      }
      const next = width();
      if (next !== lastWidth) {
        lastWidth = next;
        plot.setSize({ width: next, height });
      }
    });
  };
  window.addEventListener("resize", onResize);
  return plot;
}

/** Download text as a file (CSV exports) without a navigation: a blob: URL, allowed by the CSP. */
export function download(name, text, type = "text/csv") {
  const link = h("a", { href: URL.createObjectURL(new Blob([text], { type })), download: name });
  document.body.append(link);
  link.click();
  setTimeout(() => {
    URL.revokeObjectURL(link.href);
    link.remove();
  }, 1000);
}
