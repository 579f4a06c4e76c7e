// The campaign editor (#/campaigns/new?type=…, #/campaigns/<id>): a form in the marketer's words for each of
// the four types, the API's validation errors at their fields, live previews, scheduling, A/B variants, and
// a JSON view over the same draft. Save = POST /v1/campaigns or PATCH (a JSON Merge Patch of what changed).

import { newKey } from "../api.js";
import { currencyDigits, locale as intlLocale } from "../i18n.js";
import { campaignSwitch, listCampaigns, typeBadge, TYPE_STRINGS, TYPES } from "./campaigns.js";
import { EDITOR_STRINGS } from "./editor_strings.js";

const READ_ONLY = ["id", "version", "created_at", "updated_at", "stats", "type", "enabled"];
const CURRENCIES = ["EUR", "USD", "GBP", "CHF", "RON", "PLN", "CZK", "HUF", "SEK", "DKK", "NOK", "BGN", "JPY", "CAD", "AUD"];
const LOCALES = ["en", "it", "es", "fr", "de", "ro"];
const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const EARN_EVENTS = [
  "order_paid",
  "signup",
  "birthday",
  "review",
  "referral",
  "social_follow",
  "social_share",
  "nps_answer",
  "profile_completed",
  "site_visit",
  "email_opened",
  "email_clicked",
];
const TRIGGERS = ["welcome", "segment_entered", "birthday", "signup_anniversary", "purchase_anniversary", "win_back", "points_expiring", "referral_nudge"];
const SAMPLE = { name: "Giulia", link: "https://shop.example.com/r/GIULIA-7K2", code: "GIULIA-7K2" };

// ------------------------------------------------------------------------------------------ the draft
const clone = (value) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

export function getPath(obj, path) {
  let cur = obj;
  for (const part of path.split(".")) {
    if (cur === null || cur === undefined) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** Set (or, with undefined, remove) the value at a dotted path, creating objects and arrays on the way. */
export function setPath(obj, path, value) {
  const parts = path.split(".");
  let cur = obj;
  for (let i = 0; i < parts.length - 1; i += 1) {
    const key = parts[i];
    if (!isObject(cur[key]) && !Array.isArray(cur[key])) cur[key] = /^\d+$/.test(parts[i + 1]) ? [] : {};
    cur = cur[key];
  }
  const last = parts[parts.length - 1];
  if (value === undefined) {
    if (Array.isArray(cur)) cur.splice(Number(last), 1);
    else delete cur[last];
  } else cur[last] = value;
}

/** The RFC 7396 merge patch that turns `before` into `after` (an object whose `type` changed is sent whole). */
export function mergeDiff(before, after) {
  const patch = {};
  const keys = new Set([...Object.keys(before || {}), ...Object.keys(after || {})]);
  for (const key of keys) {
    const a = before ? before[key] : undefined;
    const b = after ? after[key] : undefined;
    if (b === undefined || b === null) {
      if (a !== undefined && a !== null) patch[key] = null;
      continue;
    }
    if (isObject(a) && isObject(b) && (a.type === undefined || a.type === b.type)) {
      const sub = mergeDiff(a, b);
      if (Object.keys(sub).length) patch[key] = sub;
    } else if (JSON.stringify(a) !== JSON.stringify(b)) {
      patch[key] = b;
    }
  }
  return patch;
}

function editable(campaign) {
  const out = {};
  for (const [key, value] of Object.entries(campaign || {})) if (!READ_ONLY.includes(key)) out[key] = clone(value);
  return out;
}

/** Drop empty strings, nulls and empty lists from a new campaign: the API's defaults apply instead. */
function compact(value) {
  if (Array.isArray(value)) return value.map(compact);
  if (!isObject(value)) return value;
  const out = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || v === null || v === "") continue;
    out[key] = compact(v);
  }
  return out;
}

function newDraft(type, currency) {
  const base = { type, name: "", enabled: true };
  if (type === "discount") return { ...base, discount: { type: "percent", percent_off: 10 }, rules: { currency } };
  if (type === "referral") {
    return {
      ...base,
      landing_url: "",
      referee_reward: { type: "coupon", discount: { type: "percent", percent_off: 10 }, valid_days: 90 },
      referrer_reward: { type: "credit", amount: 10 * 10 ** currencyDigits(currency), currency },
    };
  }
  if (type === "loyalty") {
    return {
      ...base,
      earning_rules: [
        { event: "order_paid", points_per_unit: 1, unit_amount: 10 ** currencyDigits(currency), currency },
        { event: "signup", points: 100 },
      ],
      expiry: { policy: "never" },
      auto_enroll: true,
    };
  }
  return {
    ...base,
    trigger: { type: "win_back", days_since_last_order: 90 },
    audience: { channels: ["email"] },
    messages: { email: { en: { subject: "", body: "" } } },
  };
}

/**
 * An API error's field (`discount.discount.percent.percent_off` on create: the campaign's type and the
 * discount's kind are pydantic's union tags) → the draft's path (`discount.percent_off`), and a model-level
 * message ("rules.currency: …", "expires_at must be after starts_at") → the field it names.
 */
export function fieldOfError(error, draft, creating) {
  let parts = String(error.field || "").split(".").filter(Boolean);
  if (parts[0] === "body") parts = parts.slice(1);
  if (creating && parts[0] === draft.type) parts = parts.slice(1);
  const kept = [];
  let cur = draft;
  for (const part of parts) {
    if (cur !== null && typeof cur === "object" && part in cur) {
      kept.push(part);
      cur = cur[part];
    } else if (cur && (cur.type === part || /[[\]]/.test(part))) {
      continue; // a union tag
    } else {
      kept.push(part);
      cur = undefined;
    }
  }
  let message = String(error.message || "").replace(/^Value error, /, "");
  const named = /^([a-z_]+(?:\.[a-z0-9_]+)*): (.+)$/.exec(message);
  if (named) {
    kept.push(...named[1].split("."));
    message = named[2];
  } else {
    const at = kept.length ? getPath(draft, kept.join(".")) : draft;
    const word = /^'?([a-z_]+)'? /.exec(message);
    if (word && isObject(at) && word[1] in at && word[1] !== "type") kept.push(word[1]);
  }
  return { field: kept.join("."), message };
}

// ------------------------------------------------------------------------------------- plain language
function moneyOf(fmt, minor, currency) {
  return currency ? fmt.money(minor, currency) : fmt.number(minor);
}

/** What a discount gives, in words: "20% off", "€10.00 off", "Free shipping". */
export function discountHeadline(discount, currency, t, fmt) {
  if (!discount) return "";
  switch (discount.type) {
    case "percent":
      return t("sum.percent", { value: fmt.number(Number(discount.percent_off) || 0) });
    case "amount":
      return t("sum.amount", { amount: moneyOf(fmt, discount.amount_off || 0, currency) });
    case "fixed_price":
      return t("sum.fixedPrice", { amount: moneyOf(fmt, discount.price || 0, currency) });
    case "free_shipping":
      return t("sum.freeShipping");
    case "unit":
      return t("sum.unit", { quantity: discount.quantity || 1, sku: discount.sku || "…" });
    case "gift_card":
      return t("sum.giftCard", { amount: moneyOf(fmt, discount.balance || 0, currency) });
    default:
      return discount.type;
  }
}

function listText(values) {
  const list = (values || []).filter(Boolean);
  try {
    return new Intl.ListFormat(intlLocale(), { style: "long", type: "conjunction" }).format(list);
  } catch (e) {
    return list.join(", ");
  }
}

/** The coupon a customer gets, as the lines a customer would read. */
export function couponSummary(draft, t, fmt) {
  const rules = draft.rules || {};
  const currency = rules.currency;
  const lines = [];
  const d = draft.discount || {};
  if (d.type === "percent" && d.amount_limit) lines.push(t("sum.upTo", { amount: moneyOf(fmt, d.amount_limit, currency) }));
  if (rules.min_order_amount) lines.push(t("sum.minOrder", { amount: moneyOf(fmt, rules.min_order_amount, currency) }));
  if (rules.new_customers_only) lines.push(t("sum.newCustomers"));
  if (rules.max_redemptions_per_customer === 1) lines.push(t("sum.oncePerCustomer"));
  else if (rules.max_redemptions_per_customer) lines.push(t("sum.perCustomer", { n: rules.max_redemptions_per_customer }));
  if (rules.include_categories && rules.include_categories.length) lines.push(t("sum.onlyOn", { list: listText(rules.include_categories) }));
  if (rules.exclude_categories && rules.exclude_categories.length) lines.push(t("sum.notOn", { list: listText(rules.exclude_categories) }));
  if (rules.include_skus && rules.include_skus.length) lines.push(t("sum.onlyOn", { list: listText(rules.include_skus) }));
  if (rules.exclude_skus && rules.exclude_skus.length) lines.push(t("sum.notOn", { list: listText(rules.exclude_skus) }));
  if (rules.countries && rules.countries.length) {
    let names = rules.countries;
    try {
      const dn = new Intl.DisplayNames([intlLocale()], { type: "region" });
      names = rules.countries.map((c) => dn.of(c) || c);
    } catch (e) {
      // codes as they are
    }
    lines.push(t("sum.countries", { list: listText(names) }));
  }
  if (rules.days_of_week && rules.days_of_week.length && rules.days_of_week.length < 7) {
    lines.push(t("sum.days", { list: listText(rules.days_of_week.map((w) => t("day." + w))) }));
  }
  if (rules.starts_at && rules.expires_at) lines.push(t("sum.valid", { from: fmt.date(rules.starts_at), to: fmt.date(rules.expires_at) }));
  else if (rules.starts_at) lines.push(t("sum.validFrom", { from: fmt.date(rules.starts_at) }));
  else if (rules.expires_at) lines.push(t("sum.validUntil", { to: fmt.date(rules.expires_at) }));
  if (rules.valid_days_after_issue) lines.push(t("sum.validDays", { n: rules.valid_days_after_issue }));
  if (rules.max_redemptions) lines.push(t("sum.firstUses", { n: fmt.number(rules.max_redemptions) }));
  return { headline: discountHeadline(d, currency, t, fmt), lines };
}

/** A reward (coupon, credit, points, recognition) in words. */
export function rewardText(reward, t, fmt) {
  if (!reward) return "—";
  if (reward.type === "coupon") {
    const what = reward.discount ? discountHeadline(reward.discount, reward.currency, t, fmt) : t("reward.fromCampaign");
    const parts = [t("reward.coupon", { what })];
    if (reward.min_order_amount) parts.push(t("sum.minOrder", { amount: moneyOf(fmt, reward.min_order_amount, reward.currency) }).toLowerCase());
    if (reward.valid_days) parts.push(t("reward.validDays", { n: reward.valid_days }));
    return parts.join(", ");
  }
  if (reward.type === "credit") return t("reward.credit", { amount: moneyOf(fmt, reward.amount || 0, reward.currency) });
  if (reward.type === "points") return t("reward.points", { n: fmt.number(reward.points || 0) });
  if (reward.type === "recognition") return reward.note || t("reward.recognition");
  return reward.type;
}

function rewardShort(reward, t, fmt) {
  if (!reward) return "";
  if (reward.type === "coupon" && reward.discount) return discountHeadline(reward.discount, reward.currency, t, fmt);
  if (reward.type === "credit") return moneyOf(fmt, reward.amount || 0, reward.currency);
  if (reward.type === "points") return t("reward.points", { n: reward.points || 0 });
  return rewardText(reward, t, fmt);
}

function earnText(rule, t, fmt) {
  if (rule.event === "order_paid") {
    return t("earn.order", { points: fmt.number(rule.points_per_unit || 0), amount: moneyOf(fmt, rule.unit_amount || 0, rule.currency) });
  }
  const label = String(rule.event || "").startsWith("custom:") ? rule.event.slice(7) : t("event." + rule.event);
  return t("earn.event", { points: fmt.number(rule.points || 0), event: label });
}

/** `{{ a.b }}` filled from a sample context; `{% … %}` blocks dropped (a preview, not the real renderer). */
export function fillTemplate(text, context) {
  return String(text || "")
    .replace(/\{%[\s\S]*?%\}/g, "")
    .replace(/\{\{\s*([a-zA-Z_][\w.]*)\s*(\|[^}]*)?\}\}/g, (m, path) => {
      const value = getPath(context, path);
      return value === undefined || value === null ? "" : String(value);
    });
}

// ---------------------------------------------------------------------------------------------- page
export default {
  title: "title",
  roles: ["owner", "marketer"],
  strings: mergeStrings(TYPE_STRINGS, EDITOR_STRINGS),
  async render(root, ctx) {
    const { api, t, fmt, ui, path, query, role } = ctx;
    const { h } = ui;
    const creating = path[0] === "new";
    const id = creating ? null : path[0];

    if (creating && !TYPES.includes(query.get("type"))) {
      root.append(
        ui.pageHeader(t("chooseType")),
        h("p", { class: "lead" }, t("chooseTypeLead")),
        h(
          "div",
          { class: "type-grid" },
          TYPES.map((type) =>
            h(
              "a",
              { class: "type-card", href: "#/campaigns/new?type=" + type },
              h("span", { class: "type-card-title" }, t("type." + type)),
              h("span", { class: "type-card-text" }, t("typeLead." + type)),
            ),
          ),
        ),
      );
      return;
    }

    let original = null;
    let draft;
    let currencyHint = "EUR";
    let discountCampaigns = [];
    const campaignsPromise = listCampaigns(api)
      .then((items) => {
        discountCampaigns = items.filter((c) => c.type === "discount");
        const seen = items.map((c) => (c.rules && c.rules.currency) || c.currency).filter(Boolean);
        if (seen.length) currencyHint = seen[0];
        return items;
      })
      .catch(() => []);
    if (creating) {
      await campaignsPromise;
      draft = newDraft(query.get("type"), currencyHint);
    } else {
      original = await api.get("/v1/campaigns/" + encodeURIComponent(id));
      draft = { type: original.type, ...editable(original) };
      campaignsPromise.then(() => {
        if (draft.type === "reengagement" && view === "form") renderForm();
      });
    }
    if (!ctx.isCurrent()) return;
    const type = draft.type;

    // ---- header
    const saveButton = h("button", { type: "submit", class: "primary", form: "campaign-form" }, creating ? t("create") : t("save"));
    const headerActions = [];
    if (!creating) headerActions.push(campaignSwitch(ctx, original));
    headerActions.push(h("a", { class: "button secondary", href: "#/campaigns" }, t("common.cancel")), saveButton);
    const heading = ui.pageHeader(creating ? t("new." + type) : original.name, ...headerActions);
    heading.querySelector("h1").append(" ", typeBadge(type, t));
    root.append(heading);
    if (!creating) {
      root.append(
        h(
          "p",
          { class: "page-sub" },
          t("meta", { created: fmt.dateTime(original.created_at), updated: fmt.relative(original.updated_at), version: original.version }),
        ),
      );
    }

    // ---- layout: form | preview
    const form = h("form", { id: "campaign-form", class: "editor-form", novalidate: true });
    const jsonArea = h("textarea", { name: "json", class: "json-input mono", spellcheck: "false", rows: "24", "aria-describedby": "json-hint" });
    const jsonForm = h(
      "div",
      { class: "json-view", hidden: true },
      h("label", { for: "json-input", class: "label" }, t("json.label")),
      h("p", { class: "hint", id: "json-hint" }, t("json.hint")),
      jsonArea,
      h("div", { class: "field-error", id: "json-input-error", hidden: true }),
    );
    jsonArea.id = "json-input";
    const formTab = h("button", { type: "button", role: "tab", "aria-selected": "true", class: "tab", id: "tab-form" }, t("view.form"));
    const jsonTab = h("button", { type: "button", role: "tab", "aria-selected": "false", class: "tab", id: "tab-json" }, t("view.json"));
    const previewBody = h("div", { class: "preview-body", "aria-live": "polite" });
    const preview = h("aside", { class: "editor-preview", "aria-labelledby": "preview-title" }, h("div", { class: "card" }, h("h2", { id: "preview-title" }, t("preview.title")), previewBody));
    const bottomSave = h("button", { type: "submit", class: "primary" }, creating ? t("create") : t("save"));
    const actions = h("div", { class: "editor-actions" }, h("a", { class: "button secondary", href: "#/campaigns" }, t("common.cancel")), bottomSave);
    const formPanel = h("div", { class: "editor-main" }, h("div", { class: "tabs", role: "tablist", "aria-label": t("view.label") }, formTab, jsonTab), form);
    form.append(h("div", { class: "form-summary", role: "alert", hidden: true }));
    root.append(h("div", { class: "editor" }, formPanel, preview));
    let view = "form";

    const fields = h("div", { class: "editor-fields" });
    form.append(fields, jsonForm, actions);

    function showView(next) {
      if (next === view) return true;
      if (next === "form") {
        const parsed = parseJson();
        if (!parsed) return false;
        draft = { ...parsed, type };
        renderForm();
      } else {
        jsonArea.value = JSON.stringify(compact(jsonOf(draft)), null, 2);
      }
      view = next;
      fields.hidden = view !== "form";
      jsonForm.hidden = view !== "json";
      formTab.setAttribute("aria-selected", String(view === "form"));
      jsonTab.setAttribute("aria-selected", String(view === "json"));
      refreshPreview();
      return true;
    }
    jsonArea.addEventListener("input", () => {
      clearTimeout(previewTimer);
      previewTimer = setTimeout(refreshPreview, 300);
    });
    formTab.addEventListener("click", () => showView("form"));
    jsonTab.addEventListener("click", () => showView("json"));

    function jsonOf(value) {
      const out = {};
      for (const [key, v] of Object.entries(value)) if (!["type", "enabled", "code"].includes(key) || (creating && key !== "code")) out[key] = v;
      return out;
    }

    function parseJson() {
      const slot = document.getElementById("json-input-error");
      try {
        const value = JSON.parse(jsonArea.value);
        if (!isObject(value)) throw new Error(t("json.notObject"));
        slot.hidden = true;
        jsonArea.removeAttribute("aria-invalid");
        if (draft.code) value.code = draft.code;
        return value;
      } catch (e) {
        slot.textContent = t("json.invalid", { message: e.message });
        slot.hidden = false;
        jsonArea.setAttribute("aria-invalid", "true");
        jsonArea.setAttribute("aria-describedby", "json-input-error json-hint");
        jsonArea.focus();
        return null;
      }
    }

    // ---- controls bound to the draft (name = the API's field path, so errors land at their field)
    let previewTimer = null;
    function changed(structural) {
      if (structural) renderForm();
      clearTimeout(previewTimer);
      previewTimer = setTimeout(refreshPreview, 150);
    }
    function set(p, value, structural = false) {
      setPath(draft, p, value === "" || (typeof value === "number" && Number.isNaN(value)) ? undefined : value);
      changed(structural);
    }

    function text(p, label, opts = {}) {
      const input = h(opts.multiline ? "textarea" : "input", {
        name: p,
        type: opts.multiline ? undefined : opts.type || "text",
        value: getPath(draft, p) ?? "",
        placeholder: opts.placeholder,
        required: opts.required,
        maxlength: opts.maxlength,
        rows: opts.rows,
        autocomplete: "off",
        spellcheck: opts.spellcheck === false ? "false" : undefined,
        class: opts.mono ? "mono" : undefined,
      });
      input.addEventListener("input", () => set(p, opts.transform ? opts.transform(input.value) : input.value));
      return ui.field(label, input, { hint: opts.hint, class: opts.class });
    }

    function number(p, label, opts = {}) {
      const input = h("input", {
        name: p,
        type: "number",
        inputmode: opts.step && opts.step < 1 ? "decimal" : "numeric",
        value: getPath(draft, p) ?? "",
        min: opts.min,
        max: opts.max,
        step: opts.step || 1,
        placeholder: opts.placeholder,
      });
      input.addEventListener("input", () => set(p, input.value === "" ? undefined : Number(input.value)));
      return withSuffix(ui.field(label, input, { hint: opts.hint, class: opts.class }), input, opts.suffix);
    }

    function withSuffix(fieldEl, input, suffix) {
      if (!suffix) return fieldEl;
      const group = h("div", { class: "input-group" });
      input.replaceWith(group);
      group.append(input, h("span", { class: "input-suffix", "aria-hidden": "true" }, suffix));
      if (!input.getAttribute("aria-label")) {
        const label = fieldEl.querySelector("label");
        if (label) label.append(h("span", { class: "sr-only" }, " (" + suffix + ")"));
      }
      return fieldEl;
    }

    /** An amount typed in major units (12,50) for a field kept in minor units (1250) of `currency()`. */
    function money(p, label, currency, opts = {}) {
      const cur = currency() || currencyHint;
      const digits = currencyDigits(cur);
      const minor = getPath(draft, p);
      const shown =
        minor === undefined || minor === null
          ? ""
          : new Intl.NumberFormat(intlLocale(), { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false }).format(minor / 10 ** digits);
      const input = h("input", { name: p, type: "text", inputmode: "decimal", value: shown, placeholder: opts.placeholder, autocomplete: "off" });
      input.addEventListener("input", () => {
        const raw = input.value.trim().replace(/\s/g, "");
        if (!raw) return set(p, undefined);
        const normal = raw.includes(",") && !raw.includes(".") ? raw.replace(",", ".") : raw.replace(/,/g, "");
        const value = Number(normal);
        set(p, Number.isFinite(value) ? Math.round(value * 10 ** digits) : NaN);
      });
      return withSuffix(ui.field(label, input, { hint: opts.hint, class: opts.class }), input, cur);
    }

    function select(p, label, options, opts = {}) {
      const current = getPath(draft, p) ?? opts.fallback ?? "";
      const input = h(
        "select",
        { name: p },
        options.map(([value, text]) => h("option", { value, selected: String(value) === String(current) }, text)),
      );
      input.addEventListener("change", () => {
        if (opts.onChange) opts.onChange(input.value);
        else set(p, input.value === "" ? undefined : opts.numeric ? Number(input.value) : input.value, opts.structural);
        if (opts.structural || opts.onChange) refocus(p);
      });
      return ui.field(label, input, { hint: opts.hint, class: opts.class });
    }

    function currencySelect(p, label, opts = {}) {
      const current = getPath(draft, p);
      const list = [...new Set([...(current ? [current] : []), currencyHint, ...CURRENCIES])];
      return select(p, label, [...(opts.optional ? [["", t("none")]] : []), ...list.map((c) => [c, c])], { structural: true, hint: opts.hint, fallback: opts.optional ? "" : undefined });
    }

    function checkbox(p, label, opts = {}) {
      const id = ui.nextId(p);
      const input = h("input", { type: "checkbox", name: p, id, checked: Boolean(getPath(draft, p) ?? opts.default) });
      input.addEventListener("change", () => set(p, input.checked, opts.structural));
      return h(
        "div",
        { class: "field field-check" },
        h("label", { class: "check", for: id }, input, h("span", null, label)),
        opts.hint ? h("div", { class: "hint" }, opts.hint) : null,
        h("div", { class: "field-error", id: id + "-error", hidden: true }),
      );
    }

    function dateTime(p, label, opts = {}) {
      const value = getPath(draft, p);
      const pad = (n) => String(n).padStart(2, "0");
      let shown = "";
      if (value) {
        const d = new Date(value);
        shown = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
      }
      const input = h("input", { type: "datetime-local", name: p, value: shown });
      input.addEventListener("input", () => set(p, input.value ? new Date(input.value).toISOString() : undefined));
      return ui.field(label, input, { hint: opts.hint, class: opts.class });
    }

    function listInput(p, label, opts = {}) {
      const value = getPath(draft, p);
      const input = h("input", { type: "text", name: p, value: Array.isArray(value) ? value.join(", ") : "", placeholder: opts.placeholder, autocomplete: "off" });
      input.addEventListener("input", () => {
        const items = input.value
          .split(",")
          .map((s) => (opts.upper ? s.trim().toUpperCase() : s.trim()))
          .filter(Boolean);
        set(p, items.length ? items : opts.keepEmpty ? [] : undefined);
      });
      return ui.field(label, input, { hint: opts.hint || t("hint.commas"), class: opts.class });
    }

    function checkGroup(p, legend, values, labelOf, opts = {}) {
      const current = getPath(draft, p) || [];
      const set_ = new Set(current);
      const error = h("div", { class: "field-error", id: p.replace(/\W/g, "-") + "-error", hidden: true });
      const box = h(
        "fieldset",
        { class: "check-group", name: p },
        h("legend", null, legend),
        h(
          "div",
          { class: "check-row" },
          values.map((v) => {
            const id = ui.nextId(p);
            const input = h("input", { type: "checkbox", id, value: v, checked: set_.has(v) });
            input.addEventListener("change", () => {
              if (input.checked) set_.add(v);
              else set_.delete(v);
              const list = values.filter((x) => set_.has(x));
              set(p, list.length ? list : opts.keepEmpty ? [] : undefined);
            });
            return h("label", { class: "check", for: id }, input, h("span", null, labelOf(v)));
          }),
        ),
        opts.hint ? h("div", { class: "hint" }, opts.hint) : null,
        error,
      );
      return box;
    }

    function section(title, lead, ...children) {
      return h("fieldset", { class: "section" }, h("legend", null, title), lead ? h("p", { class: "hint section-lead" }, lead) : null, children);
    }

    function more(title, ...children) {
      return h("details", { class: "more" }, h("summary", null, title), h("div", { class: "more-body" }, children));
    }

    function row(...children) {
      return h("div", { class: "row" }, children);
    }

    function refocus(name) {
      requestAnimationFrame(() => {
        const el = form.querySelector(`[name="${CSS.escape(name)}"]`);
        if (el) el.focus();
      });
    }

    function removeButton(label, onClick) {
      return h("button", { type: "button", class: "ghost small remove", onclick: onClick }, label);
    }

    // ---- the parts each type is made of
    function discountFields(p, currency, opts = {}) {
      const kinds = opts.kinds || ["percent", "amount", "free_shipping", "fixed_price", "unit", "gift_card"];
      const d = getPath(draft, p) || {};
      const kind = select(p + ".type", t("discount.kind"), kinds.map((k) => [k, t("kind." + k)]), {
        onChange: (value) => {
          const fresh = { type: value };
          if (value === "percent") fresh.percent_off = 10;
          if (value === "unit") fresh.quantity = 1;
          setPath(draft, p, fresh);
          changed(true);
        },
      });
      const parts = [kind];
      if (d.type === "percent") {
        parts.push(row(number(p + ".percent_off", t("discount.percentOff"), { min: 0.01, max: 100, step: 0.01, suffix: "%" }), opts.noLimit ? null : money(p + ".amount_limit", t("discount.amountLimit"), currency, { hint: t("hint.optional") })));
      }
      if (d.type === "amount") parts.push(money(p + ".amount_off", t("discount.amountOff"), currency));
      if (d.type === "fixed_price") parts.push(money(p + ".price", t("discount.price"), currency, { hint: t("hint.fixedPrice") }));
      if (d.type === "gift_card") parts.push(money(p + ".balance", t("discount.balance"), currency, { hint: t("hint.giftCard") }));
      if (d.type === "unit") parts.push(row(text(p + ".sku", t("discount.sku"), { mono: true }), number(p + ".quantity", t("discount.quantity"), { min: 1, max: 1000 })));
      return parts;
    }

    function rewardFields(p, kinds) {
      const reward = getPath(draft, p) || {};
      const parts = [
        select(p + ".type", t("reward.kind"), kinds.map((k) => [k, t("rewardKind." + k)]), {
          onChange: (value) => {
            const fresh = { type: value };
            if (value === "coupon") Object.assign(fresh, { discount: { type: "percent", percent_off: 10 }, valid_days: 90 });
            if (value === "credit") Object.assign(fresh, { amount: 10 * 10 ** currencyDigits(currencyHint), currency: currencyHint });
            if (value === "points") fresh.points = 100;
            if (value === "recognition") Object.assign(fresh, { kind: "other", note: "" });
            setPath(draft, p, fresh);
            changed(true);
          },
        }),
      ];
      const cur = () => getPath(draft, p + ".currency");
      if (reward.type === "coupon") {
        parts.push(...discountFields(p + ".discount", cur, { kinds: ["percent", "amount", "free_shipping", "fixed_price", "unit"], noLimit: true }));
        parts.push(row(currencySelect(p + ".currency", t("field.currency"), { optional: true, hint: t("hint.currencyMoney") }), number(p + ".valid_days", t("reward.validDaysLabel"), { min: 1, max: 3650, suffix: t("unit.days") })));
        parts.push(money(p + ".min_order_amount", t("field.minOrder"), cur, { hint: t("hint.optional") }));
      }
      if (reward.type === "credit") parts.push(row(money(p + ".amount", t("reward.amount"), cur), currencySelect(p + ".currency", t("field.currency"))));
      if (reward.type === "points") parts.push(number(p + ".points", t("reward.pointsLabel"), { min: 1 }));
      if (reward.type === "recognition") {
        parts.push(select(p + ".kind", t("reward.recognitionKind"), ["event", "experience", "gift", "other"].map((k) => [k, t("recognition." + k)])));
        parts.push(text(p + ".note", t("reward.note"), { multiline: true, rows: 2 }));
      }
      return parts;
    }

    function listEditor(p, { title, lead, addLabel, make, item, max }) {
      const items = getPath(draft, p) || [];
      const wrap = h("div", { class: "list-editor" });
      items.forEach((_, i) => {
        wrap.append(
          h(
            "div",
            { class: "list-item" },
            h("div", { class: "list-item-head" }, h("h3", null, title(i, items[i])), removeButton(t("remove"), () => {
              items.splice(i, 1);
              set(p, items.length ? items : undefined, true);
            })),
            item(p + "." + i, i),
          ),
        );
      });
      const add = h("button", { type: "button", class: "secondary small", disabled: max && items.length >= max }, "+ " + addLabel);
      add.addEventListener("click", () => {
        const next = [...items, make(items.length)];
        setPath(draft, p, next);
        changed(true);
        refocus(p + "." + (next.length - 1) + ".name");
      });
      return h("div", { name: p }, lead ? h("p", { class: "hint" }, lead) : null, wrap, add, h("div", { class: "field-error", hidden: true, id: p + "-list-error" }));
    }

    function basics() {
      const parts = [
        text("name", t("field.name"), { required: true, maxlength: 200, hint: t("hint.name") }),
        text("description", t("field.description"), { multiline: true, rows: 2, maxlength: 2000, hint: t("hint.description") }),
      ];
      if (creating) parts.push(checkbox("enabled", t("field.enabled"), { hint: t("hint.enabled") }));
      if (type === "discount" && role === "owner") parts.push(checkbox("open_to_support", t("field.openToSupport"), { hint: t("hint.openToSupport") }));
      return section(t("section.basics"), null, parts);
    }

    function discountForm() {
      const currency = () => getPath(draft, "rules.currency");
      const out = [
        basics(),
        section(
          t("section.discount"),
          t("lead.discount"),
          discountFields("discount", currency),
          currencySelect("rules.currency", t("field.currency"), { optional: true, hint: t("hint.currency") }),
        ),
        section(
          t("section.conditions"),
          null,
          money("rules.min_order_amount", t("field.minOrder"), currency, { hint: t("hint.optional") }),
          checkbox("rules.new_customers_only", t("field.newCustomers")),
          row(
            number("rules.max_redemptions_per_customer", t("field.perCustomer"), { min: 1, hint: t("hint.perCustomer") }),
            number("rules.max_redemptions", t("field.maxRedemptions"), { min: 1, hint: t("hint.maxRedemptions") }),
          ),
          more(
            t("more.conditions"),
            number("rules.max_redemptions_per_code", t("field.perCode"), { min: 1 }),
            listInput("rules.countries", t("field.countries"), { upper: true, placeholder: "IT, ES, RO", hint: t("hint.countries") }),
            row(listInput("rules.include_categories", t("field.includeCategories")), listInput("rules.exclude_categories", t("field.excludeCategories"))),
            row(listInput("rules.include_skus", t("field.includeSkus")), listInput("rules.exclude_skus", t("field.excludeSkus"))),
          ),
        ),
        section(
          t("section.schedule"),
          t("lead.schedule"),
          row(dateTime("rules.starts_at", t("field.startsAt"), { hint: t("hint.startsAt") }), dateTime("rules.expires_at", t("field.expiresAt"), { hint: t("hint.expiresAt") })),
          number("rules.valid_days_after_issue", t("field.validDaysAfterIssue"), { min: 1, max: 3650, suffix: t("unit.days"), hint: t("hint.validDaysAfterIssue") }),
          more(
            t("more.schedule"),
            checkGroup("rules.days_of_week", t("field.daysOfWeek"), WEEKDAYS, (w) => t("day." + w), { hint: t("hint.daysOfWeek") }),
            listInput("rules.hours", t("field.hours"), {
              hint: t("hint.hours"),
              placeholder: "9, 10, 11",
            }),
            text("rules.timezone", t("field.timezone"), { placeholder: "Europe/Rome", hint: t("hint.timezone") }),
          ),
        ),
      ];
      if (creating) {
        out.push(
          section(
            t("section.code"),
            t("lead.code"),
            text("code", t("field.code"), { placeholder: "WELCOME10", mono: true, transform: (v) => v.trim().toUpperCase(), hint: t("hint.code") }),
          ),
        );
      }
      return out;
    }

    function referralForm() {
      const conversionCurrency = () => getPath(draft, "conversion.currency");
      return [
        section(
          t("section.basics"),
          null,
          text("name", t("field.name"), { required: true, maxlength: 200 }),
          text("description", t("field.description"), { multiline: true, rows: 2 }),
          row(text("shop_name", t("field.shopName"), { placeholder: t("placeholder.shopName") }), text("landing_url", t("field.landingUrl"), { type: "url", placeholder: "https://", hint: t("hint.landingUrl") })),
          creating ? checkbox("enabled", t("field.enabled")) : null,
        ),
        section(t("section.referee"), t("lead.referee"), rewardFields("referee_reward", ["coupon", "credit", "points"])),
        section(t("section.referrer"), t("lead.referrer"), rewardFields("referrer_reward", ["coupon", "credit", "points"])),
        section(
          t("section.conversion"),
          null,
          text("conversion.event", t("field.conversionEvent"), { placeholder: "first_order", hint: t("hint.conversionEvent"), mono: true }),
          row(money("conversion.min_order_amount", t("field.minOrder"), conversionCurrency, { hint: t("hint.optional") }), currencySelect("conversion.currency", t("field.currency"), { optional: true })),
          row(
            number("holding_days", t("field.holdingDays"), { min: 0, max: 365, suffix: t("unit.days"), hint: t("hint.holdingDays"), placeholder: "14" }),
            number("attribution.window_days", t("field.windowDays"), { min: 1, max: 365, suffix: t("unit.days"), placeholder: "30", hint: t("hint.windowDays") }),
          ),
          select("attribution.model", t("field.attributionModel"), [["first_touch", t("model.first_touch")], ["last_touch", t("model.last_touch")]], { fallback: "first_touch" }),
        ),
        section(
          t("section.share"),
          t("lead.share"),
          text("share.email_subject", t("field.emailSubject"), { placeholder: t("default.shareSubject") }),
          text("share.email_body", t("field.emailBody"), { multiline: true, rows: 4, placeholder: t("default.shareBody") }),
          text("share.social_text", t("field.socialText"), { multiline: true, rows: 2, placeholder: t("default.shareSocial"), hint: t("hint.shareVars") }),
        ),
        section(
          t("section.variants"),
          null,
          listEditor("variants", {
            title: (i, v) => t("variant.title", { name: (v && v.name) || String.fromCharCode(65 + i) }),
            lead: t("lead.variants"),
            addLabel: t("variant.add"),
            max: 10,
            make: (i) => ({ name: String.fromCharCode(97 + i), weight: 1 }),
            item: (vp) => [
              row(text(vp + ".name", t("variant.name"), { mono: true, hint: t("hint.variantName") }), number(vp + ".weight", t("variant.weight"), { min: 1, max: 1000, hint: t("hint.weight") })),
              getPath(draft, vp + ".referee_reward")
                ? h("div", { class: "nested" }, h("h4", null, t("section.referee")), rewardFields(vp + ".referee_reward", ["coupon", "credit", "points"]), removeButton(t("variant.sameReward"), () => set(vp + ".referee_reward", undefined, true)))
                : h("button", { type: "button", class: "link", onclick: () => set(vp + ".referee_reward", clone(draft.referee_reward), true) }, t("variant.otherReward")),
              text(vp + ".share.social_text", t("variant.socialText"), { multiline: true, rows: 2, placeholder: (draft.share && draft.share.social_text) || t("default.shareSocial") }),
            ],
          }),
        ),
        section(
          t("section.limits"),
          null,
          row(
            number("limits.max_rewarded_per_referrer", t("field.maxRewarded"), { min: 1, hint: t("hint.optional") }),
            number("limits.period_days", t("field.periodDays"), { min: 1, max: 3650, placeholder: "30", suffix: t("unit.days") }),
          ),
          more(
            t("more.fraud"),
            row(
              number("fraud.max_conversions_per_ip", t("field.perIp"), { min: 1, placeholder: "3" }),
              number("fraud.max_conversions_per_hour", t("field.perHour"), { min: 1, placeholder: "5" }),
            ),
            checkbox("fraud.flag_disposable_emails", t("field.disposable"), { default: true }),
          ),
        ),
      ];
    }

    function loyaltyForm() {
      return [
        section(
          t("section.basics"),
          null,
          text("name", t("field.name"), { required: true, maxlength: 200 }),
          text("description", t("field.description"), { multiline: true, rows: 2 }),
          checkbox("auto_enroll", t("field.autoEnroll"), { default: true, hint: t("hint.autoEnroll") }),
          text("enrollment_url", t("field.enrollmentUrl"), { type: "url", placeholder: "https://", hint: t("hint.optional") }),
          creating ? checkbox("enabled", t("field.enabled")) : null,
        ),
        section(
          t("section.earning"),
          null,
          listEditor("earning_rules", {
            title: (i, r) => (r && r.event ? (r.event.startsWith("custom:") ? r.event.slice(7) : t("event." + r.event)) : t("rule.title", { n: i + 1 })),
            addLabel: t("rule.add"),
            max: 50,
            make: () => ({ event: "review", points: 50 }),
            item: (rp) => {
              const rule = getPath(draft, rp) || {};
              const custom = String(rule.event || "").startsWith("custom:");
              const parts = [
                select(rp + ".event", t("rule.event"), [...EARN_EVENTS.map((e) => [e, t("event." + e)]), ["custom", t("event.custom")]], {
                  fallback: custom ? "custom" : rule.event,
                  onChange: (value) => {
                    const fresh = value === "order_paid" ? { event: value, points_per_unit: 1, unit_amount: 10 ** currencyDigits(currencyHint), currency: currencyHint } : { event: value === "custom" ? "custom:my_event" : value, points: rule.points || 50 };
                    setPath(draft, rp, fresh);
                    changed(true);
                  },
                }),
              ];
              if (custom) parts.push(text(rp + ".event", t("rule.customName"), { mono: true, hint: t("hint.customEvent") }));
              if (rule.event === "order_paid") {
                const cur = () => getPath(draft, rp + ".currency");
                parts.push(row(number(rp + ".points_per_unit", t("rule.pointsPerUnit"), { min: 1 }), money(rp + ".unit_amount", t("rule.unitAmount"), cur), currencySelect(rp + ".currency", t("field.currency"), { optional: true })));
                parts.push(more(t("rule.exclusions"), row(listInput(rp + ".exclude_categories", t("field.excludeCategories"), { keepEmpty: true }), listInput(rp + ".exclude_skus", t("field.excludeSkus"), { keepEmpty: true }))));
              } else {
                parts.push(number(rp + ".points", t("rule.points"), { min: 1 }));
              }
              parts.push(more(t("rule.period"), row(dateTime(rp + ".starts_at", t("field.startsAt")), dateTime(rp + ".ends_at", t("field.endsAt")))));
              return parts;
            },
          }),
        ),
        section(
          t("section.points"),
          null,
          number("pending_days", t("field.pendingDays"), { min: 0, max: 365, placeholder: "14", suffix: t("unit.days"), hint: t("hint.pendingDays") }),
          row(
            select("expiry.policy", t("field.expiry"), ["never", "fixed", "inactivity"].map((v) => [v, t("expiry." + v)]), {
              fallback: "never",
              onChange: (value) => {
                setPath(draft, "expiry.policy", value);
                if (value === "never") setPath(draft, "expiry.days", undefined);
                else if (!getPath(draft, "expiry.days")) setPath(draft, "expiry.days", 365);
                changed(true);
              },
            }),
            getPath(draft, "expiry.policy") && getPath(draft, "expiry.policy") !== "never" ? number("expiry.days", t("field.expiryDays"), { min: 1, max: 3650, suffix: t("unit.days") }) : null,
          ),
        ),
        section(
          t("section.tiers"),
          t("lead.tiers"),
          listEditor("tiers", {
            title: (i, tier) => (tier && tier.name) || t("tier.title", { n: i + 1 }),
            addLabel: t("tier.add"),
            max: 20,
            make: (i) => ({ name: "", min_points: i === 0 ? 0 : 1000 * i, multiplier: 1 }),
            item: (tp) => row(text(tp + ".name", t("tier.name")), number(tp + ".min_points", t("tier.minPoints"), { min: 0 }), number(tp + ".multiplier", t("tier.multiplier"), { min: 1, max: 10, step: 0.1, suffix: "×" })),
          }),
        ),
        section(
          t("section.catalogue"),
          t("lead.catalogue"),
          listEditor("rewards", {
            title: (i, item) => (item && item.name) || t("catalogue.title", { n: i + 1 }),
            addLabel: t("catalogue.add"),
            max: 200,
            make: (i) => ({ id: "reward-" + (i + 1), name: "", cost: 500, reward: { type: "coupon", discount: { type: "amount", amount_off: 5 * 10 ** currencyDigits(currencyHint) }, currency: currencyHint, valid_days: 90 } }),
            item: (cp) => [
              row(text(cp + ".name", t("catalogue.name")), text(cp + ".id", t("catalogue.id"), { mono: true }), number(cp + ".cost", t("catalogue.cost"), { min: 1, suffix: t("unit.points") })),
              rewardFields(cp + ".reward", ["coupon", "credit", "recognition"]),
            ],
          }),
        ),
      ];
    }

    function triggerFields() {
      const trig = draft.trigger || {};
      const parts = [
        select("trigger.type", t("field.trigger"), TRIGGERS.map((v) => [v, t("trigger." + v)]), {
          onChange: (value) => {
            const defaults = {
              segment_entered: { segment: "" },
              birthday: { days_before: 0 },
              signup_anniversary: { days_before: 0 },
              purchase_anniversary: { months: 6 },
              win_back: { days_since_last_order: 90 },
              points_expiring: { days_before: 7 },
              referral_nudge: { days_since_last_share: 30, segment: "ambassadors" },
            };
            draft.trigger = { type: value, ...(defaults[value] || {}) };
            changed(true);
          },
        }),
      ];
      if (trig.type === "segment_entered") parts.push(text("trigger.segment", t("field.segment"), { mono: true, placeholder: "vip" }));
      if (["birthday", "signup_anniversary", "points_expiring"].includes(trig.type)) parts.push(number("trigger.days_before", t("field.daysBefore"), { min: 0, max: 90, suffix: t("unit.days") }));
      if (trig.type === "purchase_anniversary") {
        parts.push(number("trigger.months", t("field.months"), { min: 1, max: 24, suffix: t("unit.months") }));
        parts.push(row(listInput("trigger.skus", t("field.includeSkus"), { keepEmpty: true }), listInput("trigger.categories", t("field.includeCategories"), { keepEmpty: true })));
      }
      if (trig.type === "win_back") parts.push(number("trigger.days_since_last_order", t("field.daysSinceOrder"), { min: 7, max: 1095, suffix: t("unit.days") }));
      if (trig.type === "referral_nudge") {
        parts.push(row(number("trigger.days_since_last_share", t("field.daysSinceShare"), { min: 7, max: 365, suffix: t("unit.days") }), select("trigger.segment", t("field.segment"), [["ambassadors", "ambassadors"], ["top_referrers", "top_referrers"]])));
      }
      return parts;
    }

    function messagesEditor(mp) {
      const messages = getPath(draft, mp) || {};
      const channels = (draft.audience && draft.audience.channels) || ["email"];
      const locales = [...new Set([...Object.keys(messages.email || {}), ...Object.keys(messages.sms || {})])];
      if (!locales.length) locales.push(draft.default_locale || "en");
      const missing = LOCALES.filter((l) => !locales.includes(l));
      const languageName = (code) => {
        try {
          return new Intl.DisplayNames([intlLocale()], { type: "language" }).of(code) || code;
        } catch (e) {
          return code;
        }
      };
      const blocks = locales.map((loc) =>
        h(
          "div",
          { class: "nested locale-block" },
          h("div", { class: "list-item-head" }, h("h4", { lang: loc }, languageName(loc) + " (" + loc + ")"), locales.length > 1 ? removeButton(t("remove"), () => {
            if (messages.email) delete messages.email[loc];
            if (messages.sms) delete messages.sms[loc];
            setPath(draft, mp, messages);
            changed(true);
          }) : null),
          channels.includes("email")
            ? [
                text(`${mp}.email.${loc}.subject`, t("field.emailSubject"), { maxlength: 500 }),
                text(`${mp}.email.${loc}.body`, t("field.emailHtml"), { multiline: true, rows: 6, mono: true, hint: t("hint.messageVars") }),
              ]
            : null,
          channels.includes("sms") ? text(`${mp}.sms.${loc}.body`, t("field.smsBody"), { multiline: true, rows: 2, maxlength: 1600 }) : null,
        ),
      );
      const adder = missing.length
        ? select(mp + "._add", t("messages.addLanguage"), [["", "—"], ...missing.map((l) => [l, languageName(l)])], {
            onChange: (loc) => {
              if (!loc) return;
              if (channels.includes("email")) setPath(draft, `${mp}.email.${loc}`, { subject: "", body: "" });
              if (channels.includes("sms")) setPath(draft, `${mp}.sms.${loc}`, { body: "" });
              changed(true);
            },
          })
        : null;
      return h("div", { name: mp }, blocks, adder);
    }

    function reengagementForm() {
      const incentiveKind = draft.incentive ? (draft.incentive.points ? "points" : "coupon") : "none";
      const usingVariants = Array.isArray(draft.variants) && draft.variants.length > 0;
      const discountOptions = discountCampaigns.map((c) => [c.id, c.name]);
      return [
        section(
          t("section.basics"),
          null,
          text("name", t("field.name"), { required: true, maxlength: 200 }),
          text("description", t("field.description"), { multiline: true, rows: 2 }),
          creating ? checkbox("enabled", t("field.enabled")) : null,
        ),
        section(t("section.trigger"), t("lead.trigger"), triggerFields()),
        section(
          t("section.dates"),
          t("lead.scheduleMessages"),
          row(dateTime("starts_at", t("field.startsAt"), { hint: t("hint.optional") }), dateTime("ends_at", t("field.endsAt"), { hint: t("hint.optional") })),
        ),
        section(
          t("section.audience"),
          null,
          checkGroup("audience.channels", t("field.channels"), ["email", "sms"], (c) => t("channel." + c), { keepEmpty: true }),
          row(listInput("audience.countries", t("field.countries"), { upper: true, placeholder: "IT, ES", keepEmpty: true, hint: t("hint.everyone") }), listInput("audience.locales", t("field.locales"), { placeholder: "it, es", keepEmpty: true, hint: t("hint.everyone") })),
          row(listInput("audience.segments", t("field.segments"), { keepEmpty: true, hint: t("hint.everyone") }), listInput("audience.exclude_segments", t("field.excludeSegments"), { keepEmpty: true })),
          more(
            t("more.frequency"),
            row(number("audience.frequency_cap.messages", t("field.capMessages"), { min: 1, max: 100 }), number("audience.frequency_cap.days", t("field.capDays"), { min: 1, max: 365, suffix: t("unit.days") })),
          ),
        ),
        section(
          t("section.incentive"),
          null,
          select("incentive._kind", t("field.incentive"), ["none", "coupon", "points"].map((k) => [k, t("incentive." + k)]), {
            fallback: incentiveKind,
            onChange: (value) => {
              if (value === "none") draft.incentive = undefined;
              if (value === "coupon") draft.incentive = { campaign_id: discountOptions.length ? discountOptions[0][0] : "", expires_in_days: 30 };
              if (value === "points") draft.incentive = { points: 100 };
              if (draft.incentive === undefined) delete draft.incentive;
              changed(true);
            },
          }),
          incentiveKind === "coupon"
            ? row(
                select("incentive.campaign_id", t("field.fromCampaign"), discountOptions.length ? discountOptions : [["", t("incentive.noDiscount")]], { hint: t("hint.fromCampaign") }),
                number("incentive.expires_in_days", t("field.expiresInDays"), { min: 1, max: 365, suffix: t("unit.days") }),
              )
            : null,
          incentiveKind === "points" ? number("incentive.points", t("field.incentivePoints"), { min: 1, suffix: t("unit.points") }) : null,
        ),
        section(
          t("section.messages"),
          t("lead.messages"),
          select("default_locale", t("field.defaultLocale"), [["", t("none")], ...LOCALES.map((l) => [l, l])], { hint: t("hint.defaultLocale") }),
          usingVariants ? h("p", { class: "notice" }, t("messages.variantsUsed")) : messagesEditor("messages"),
        ),
        section(
          t("section.variants"),
          null,
          listEditor("variants", {
            title: (i, v) => t("variant.title", { name: (v && v.name) || String.fromCharCode(65 + i) }),
            lead: t("lead.messageVariants"),
            addLabel: t("variant.add"),
            max: 5,
            make: (i) => ({ name: String.fromCharCode(97 + i), weight: 1, messages: clone(draft.messages) || { email: { en: { subject: "", body: "" } } } }),
            item: (vp) => [
              row(text(vp + ".name", t("variant.name"), { mono: true }), number(vp + ".weight", t("variant.weight"), { min: 1, max: 1000 })),
              messagesEditor(vp + ".messages"),
            ],
          }),
        ),
      ];
    }

    function renderForm() {
      ui.clear(fields);
      const build = { discount: discountForm, referral: referralForm, loyalty: loyaltyForm, reengagement: reengagementForm }[type];
      fields.append(...build().filter(Boolean));
      for (const el of fields.querySelectorAll('[name$="._kind"], [name$="._add"]')) el.removeAttribute("name");
    }

    // ---- previews
    let previewSelection = { locale: null, variant: "" };
    function refreshPreview() {
      const current = view === "json" ? (() => {
        try {
          return { ...JSON.parse(jsonArea.value), type };
        } catch (e) {
          return draft;
        }
      })() : draft;
      ui.clear(previewBody);
      if (type === "discount") previewBody.append(couponPreview(current));
      if (type === "referral") previewBody.append(...referralPreview(current).filter(Boolean));
      if (type === "loyalty") previewBody.append(...loyaltyPreview(current).filter(Boolean));
      if (type === "reengagement") previewBody.append(...messagePreview(current).filter(Boolean));
    }

    function couponPreview(current) {
      const summary = couponSummary(current, t, fmt);
      return h(
        "div",
        { class: "coupon" },
        h("div", { class: "coupon-shop" }, current.name || t("preview.untitled")),
        h("div", { class: "coupon-headline" }, summary.headline || "—"),
        current.code ? h("div", { class: "coupon-code mono" }, current.code) : h("div", { class: "coupon-code mono muted" }, t("preview.codeHere")),
        summary.lines.length ? h("ul", { class: "coupon-lines" }, summary.lines.map((l) => h("li", null, l))) : h("p", { class: "hint" }, t("preview.noConditions")),
        h("p", { class: "hint coupon-note" }, t("preview.couponNote")),
      );
    }

    function referralPreview(current) {
      const variants = current.variants || [];
      const chosen = variants.find((v) => v.name === previewSelection.variant) || null;
      const referee = (chosen && chosen.referee_reward) || current.referee_reward;
      const referrer = (chosen && chosen.referrer_reward) || current.referrer_reward;
      const share = { ...(current.share || {}), ...((chosen && chosen.share) || {}) };
      // the customer's language: the shop's own texts as written, the default texts translated (as the API does)
      const loc = previewSelection.shareLocale || ctx.lang;
      const tl = localT(loc);
      const text = (key, field) => (share[field] && share[field] !== EDITOR_STRINGS.en[key] ? share[field] : tl(key));
      const context = {
        name: SAMPLE.name,
        link: SAMPLE.link,
        shop: current.shop_name || tl("placeholder.shopName"),
        referee_reward: rewardShort(referee, tl, fmt),
        referrer_reward: rewardShort(referrer, tl, fmt),
      };
      const out = [];
      const pickers = h("div", { class: "row" });
      const langPick = h("select", { id: "preview-share-locale" }, LOCALES.map((l) => h("option", { value: l, selected: l === loc }, languageLabel(l))));
      langPick.addEventListener("change", () => {
        previewSelection.shareLocale = langPick.value;
        refreshPreview();
      });
      pickers.append(h("div", { class: "field" }, h("label", { for: "preview-share-locale" }, t("preview.locale")), langPick));
      if (variants.length) {
        const pick = h("select", { id: "preview-variant" }, h("option", { value: "" }, t("preview.base")), variants.map((v) => h("option", { value: v.name, selected: v.name === previewSelection.variant }, v.name)));
        pick.addEventListener("change", () => {
          previewSelection.variant = pick.value;
          refreshPreview();
        });
        pickers.append(h("div", { class: "field" }, h("label", { for: "preview-variant" }, t("preview.variant")), pick));
      }
      out.push(
        h("div", { class: "reward-pair" }, h("div", { class: "reward-box" }, h("div", { class: "stat-label" }, t("preview.friendGets")), h("div", { class: "reward-text" }, rewardText(referee, t, fmt))), h("div", { class: "reward-box" }, h("div", { class: "stat-label" }, t("preview.referrerGets")), h("div", { class: "reward-text" }, rewardText(referrer, t, fmt)))),
        h("h3", null, t("preview.shareAs", { name: SAMPLE.name })),
        pickers,
        h(
          "div",
          { class: "mail-preview", lang: loc },
          h("div", { class: "mail-subject" }, fillTemplate(text("default.shareSubject", "email_subject"), context)),
          h("div", { class: "mail-body" }, fillTemplate(text("default.shareBody", "email_body"), context)),
        ),
        h("div", { class: "social-preview", lang: loc }, fillTemplate(text("default.shareSocial", "social_text"), context)),
        h("p", { class: "hint" }, t("preview.shareNote")),
      );
      return out;
    }

    function loyaltyPreview(current) {
      const rules = current.earning_rules || [];
      const tiers = (current.tiers || []).slice().sort((a, b) => (a.min_points || 0) - (b.min_points || 0));
      const expiry = current.expiry || { policy: "never" };
      return [
        h("h3", null, t("preview.howEarn")),
        h("ul", { class: "coupon-lines" }, rules.map((r) => h("li", null, earnText(r, t, fmt)))),
        tiers.length ? h("h3", null, t("section.tiers")) : null,
        tiers.length ? h("ul", { class: "coupon-lines" }, tiers.map((tier) => h("li", null, t("preview.tier", { name: tier.name || "…", points: fmt.number(tier.min_points || 0), multiplier: fmt.number(tier.multiplier || 1) })))) : null,
        (current.rewards || []).length ? h("h3", null, t("section.catalogue")) : null,
        (current.rewards || []).length ? h("ul", { class: "coupon-lines" }, current.rewards.map((r) => h("li", null, t("preview.catalogueItem", { name: r.name || r.id, cost: fmt.number(r.cost || 0), reward: rewardText(r.reward, t, fmt) })))) : null,
        h("p", { class: "hint" }, expiry.policy === "never" ? t("preview.noExpiry") : t("preview.expiry." + expiry.policy, { n: expiry.days || "…" })),
        current.pending_days !== 0 ? h("p", { class: "hint" }, t("preview.pending", { n: current.pending_days ?? 14 })) : null,
      ];
    }

    let previewRequest = 0;
    function messagePreview(current) {
      const variants = current.variants || [];
      const chosen = variants.find((v) => v.name === previewSelection.variant) || variants[0] || null;
      const messages = (chosen ? chosen.messages : current.messages) || {};
      const locales = [...new Set([...Object.keys(messages.email || {}), ...Object.keys(messages.sms || {})])];
      const loc = locales.includes(previewSelection.locale) ? previewSelection.locale : locales[0];
      const out = [];
      const pickers = h("div", { class: "row" });
      if (locales.length) {
        const pick = h("select", { id: "preview-locale" }, locales.map((l) => h("option", { value: l, selected: l === loc }, languageLabel(l))));
        pick.addEventListener("change", () => {
          previewSelection.locale = pick.value;
          refreshPreview();
        });
        pickers.append(h("div", { class: "field" }, h("label", { for: "preview-locale" }, t("preview.locale")), pick));
      }
      if (variants.length) {
        const pick = h("select", { id: "preview-variant" }, variants.map((v) => h("option", { value: v.name, selected: chosen && v.name === chosen.name }, v.name)));
        pick.addEventListener("change", () => {
          previewSelection.variant = pick.value;
          refreshPreview();
        });
        pickers.append(h("div", { class: "field" }, h("label", { for: "preview-variant" }, t("preview.variant")), pick));
      }
      out.push(pickers, h("p", { class: "hint" }, t("preview.sample")));
      const context = {
        customer: { id: "cus_1", name: "Anna Rossi", first_name: "Anna", email: "anna@example.com", country: "IT", locale: loc, points_balance: 120, tier: "gold", favourite_category: "shoes" },
        occasion: { type: current.trigger && current.trigger.type, days: 90, points: 100, months: 6 },
        campaign: { id: "cmp_1", name: current.name },
        coupon: { code: "WELCOME-1", expires_at: null },
        referral: { code: "ANNA1", link: "https://example.com/r/ANNA1" },
        points: current.incentive && current.incentive.points ? current.incentive.points : 0,
        unsubscribe_url: "#",
        shop_url: "https://shop.example.com/",
      };
      const email = loc && messages.email ? messages.email[loc] : null;
      const sms = loc && messages.sms ? messages.sms[loc] : null;
      const frame = h("iframe", { class: "mail-frame", sandbox: "", title: t("preview.emailFrame"), referrerpolicy: "no-referrer" });
      const subject = h("div", { class: "mail-subject" }, email ? fillTemplate(email.subject, context) : "—");
      if (email) {
        frame.srcdoc = fillTemplate(email.body, context);
        out.push(h("h3", null, t("channel.email")), h("div", { class: "mail-preview" }, subject, frame));
        serverPreview(current, chosen, loc, subject, frame);
      }
      if (sms) out.push(h("h3", null, t("channel.sms")), h("div", { class: "sms-bubble" }, fillTemplate(sms.body, context)));
      if (!email && !sms) out.push(h("p", { class: "hint" }, t("preview.noMessage")));
      return out;
    }

    /** The API's own rendering (POST /v1/messages/preview, of the draft as it stands) when the server has it:
     * the same templates, variables and escaping as the sender. Until it answers (or if it cannot), the sketch. */
    function serverPreview(current, variant, loc, subject, frame) {
      const mine = ++previewRequest;
      const messages = variant ? variant.messages : current.messages;
      const body = compact({
        messages,
        trigger: current.trigger,
        incentive: current.incentive,
        referral_campaign_id: current.referral_campaign_id,
        locale: loc,
        channel: "email",
      });
      api
        .post("/v1/messages/preview", body)
        .then((result) => {
          if (mine !== previewRequest || !result) return;
          if (result.subject) subject.textContent = result.subject;
          if (result.html) frame.srcdoc = result.html;
          frame.dataset.rendered = "server";
        })
        .catch(() => {
          // no preview route yet, or the draft does not render: the sketch stays
        });
    }

    // ---- save
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (view === "json") {
        const parsed = parseJson();
        if (!parsed) return;
        draft = { ...parsed, type };
      }
      ui.clearErrors(form);
      saveButton.disabled = bottomSave.disabled = true;
      const code = draft.code;
      try {
        if (creating) {
          const body = compact({ ...draft });
          delete body.code;
          const saved = await api.post("/v1/campaigns", body, { idempotencyKey: newKey() });
          if (code) {
            try {
              await api.post(`/v1/campaigns/${encodeURIComponent(saved.id)}/codes`, { code }, { idempotencyKey: newKey() });
            } catch (error) {
              ui.toast(t("saved.codeFailed", { code, message: error.message }), "error");
            }
          }
          ui.toast(t("saved.created", { name: saved.name }), "success");
          ctx.navigate("#/campaigns/" + encodeURIComponent(saved.id));
          return;
        }
        const patch = mergeDiff(editable(original), editable(draft));
        if (!Object.keys(patch).length) {
          ui.toast(t("saved.nothing"), "info");
          return;
        }
        const saved = await api.patch("/v1/campaigns/" + encodeURIComponent(id), patch, { idempotencyKey: newKey() });
        original = saved;
        draft = { type: saved.type, ...editable(saved) };
        renderForm();
        if (view === "json") jsonArea.value = JSON.stringify(compact(jsonOf(draft)), null, 2);
        refreshPreview();
        ui.toast(t("saved.updated", { name: saved.name }), "success");
      } catch (error) {
        showErrors(error);
      } finally {
        saveButton.disabled = bottomSave.disabled = false;
      }
    });

    function showErrors(error) {
      const details = error.details || {};
      const list = Array.isArray(details.fields) ? details.fields : typeof details.field === "string" ? [{ field: details.field, message: error.message }] : [];
      const mapped = list.map((f) => fieldOfError(f, draft, creating)).map((f) => ({ ...f, message: humanize(f.message) }));
      if (view === "json") {
        const slot = document.getElementById("json-input-error");
        slot.textContent = mapped.length ? mapped.map((f) => (f.field ? f.field + ": " : "") + f.message).join(" · ") : error.message;
        slot.hidden = false;
        jsonArea.setAttribute("aria-invalid", "true");
        jsonArea.setAttribute("aria-describedby", "json-input-error json-hint");
        jsonArea.focus();
        return;
      }
      if (error.status === 403) {
        ui.formErrors(form, { message: t("saved.forbidden"), details: {} });
        return;
      }
      ui.formErrors(form, { message: error.message, details: { fields: mapped } }, { fallback: (e) => e.message });
    }

    /** The API's English validation sentence in the user's words: known shapes translated, field names → labels. */
    function humanize(message) {
      const patterns = [
        [/^Input should be less than or equal to (\S+)$/, "err.le"],
        [/^Input should be greater than or equal to (\S+)$/, "err.ge"],
        [/^Input should be less than (\S+)$/, "err.lt"],
        [/^Input should be greater than (\S+)$/, "err.gt"],
        [/^Field required$/, "err.required"],
        [/^String should have at least (\d+) characters?$/, "err.minLength"],
        [/^String should have at most (\d+) characters?$/, "err.maxLength"],
        [/^Input should be a valid (number|integer).*$/, "err.number"],
        [/^String should match pattern/, "err.pattern"],
        [/^Unknown field\.$/, "err.unknown"],
      ];
      for (const [re, key] of patterns) {
        const m = re.exec(message);
        if (m) return t(key, { n: m[1] });
      }
      return message.replace(/\b[a-z]+(?:_[a-z]+)+\b/g, (word) => {
        const control = form.querySelector(`[name="${word}"], [name$=".${word}"]`);
        const label = control && control.id ? form.querySelector(`label[for="${control.id}"]`) : null;
        return label ? "“" + label.firstChild.textContent.trim() + "”" : word;
      });
    }

    renderForm();
    refreshPreview();
  },
};

/** t() in another language than the console's: a customer's, for previews. */
function localT(lang) {
  const own = EDITOR_STRINGS[lang] || {};
  const typeStrings = TYPE_STRINGS[lang] || {};
  return (key, vars) => {
    const text = own[key] ?? typeStrings[key] ?? EDITOR_STRINGS.en[key] ?? key;
    return vars ? text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m)) : text;
  };
}

function languageLabel(code) {
  try {
    return (new Intl.DisplayNames([intlLocale()], { type: "language" }).of(code) || code) + " (" + code + ")";
  } catch (e) {
    return code;
  }
}

function mergeStrings(...sets) {
  const out = {};
  for (const set of sets) for (const [lang, strings] of Object.entries(set)) out[lang] = { ...(out[lang] || {}), ...strings };
  return out;
}
