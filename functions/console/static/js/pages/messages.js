// Messages: a re-engagement campaign's log (newest first) with a status filter, its results per status and
// per variant, and each message rendered as the customer got it.
import { campaigns, messageList, statusBadge, table, withKit } from "../kit.js";

const STATUSES = ["queued", "sending", "retrying", "sent", "failed", "cancelled", "outcome_unknown"];

const LANGS = {
  en: {
    "msg.results": "Results",
    "msg.unsubscribed": "unsubscribed",
    "msg.redeemed": "coupons redeemed",
    "msg.title": "Messages",
    "msg.campaign": "Re-engagement campaign",
    "msg.none": "No re-engagement campaign yet.",
    "msg.status": "Status",
    "msg.all": "All",
    "msg.byStatus": "By status",
    "msg.variants": "By variant",
    "msg.variant": "Variant",
    "msg.log": "Log",
  },
  it: {
    "msg.results": "Risultati",
    "msg.unsubscribed": "disiscritti",
    "msg.redeemed": "coupon usati",
    "msg.title": "Messaggi",
    "msg.campaign": "Campagna di riattivazione",
    "msg.none": "Nessuna campagna di riattivazione.",
    "msg.status": "Stato",
    "msg.all": "Tutti",
    "msg.byStatus": "Per stato",
    "msg.variants": "Per variante",
    "msg.variant": "Variante",
    "msg.log": "Registro",
  },
  es: {
    "msg.results": "Resultados",
    "msg.unsubscribed": "bajas",
    "msg.redeemed": "cupones canjeados",
    "msg.title": "Mensajes",
    "msg.campaign": "Campaña de reactivación",
    "msg.none": "Aún no hay campañas de reactivación.",
    "msg.status": "Estado",
    "msg.all": "Todos",
    "msg.byStatus": "Por estado",
    "msg.variants": "Por variante",
    "msg.variant": "Variante",
    "msg.log": "Registro",
  },
  fr: {
    "msg.results": "Résultats",
    "msg.unsubscribed": "désinscrits",
    "msg.redeemed": "coupons utilisés",
    "msg.title": "Messages",
    "msg.campaign": "Campagne de relance",
    "msg.none": "Aucune campagne de relance.",
    "msg.status": "État",
    "msg.all": "Tous",
    "msg.byStatus": "Par état",
    "msg.variants": "Par variante",
    "msg.variant": "Variante",
    "msg.log": "Journal",
  },
  de: {
    "msg.results": "Ergebnisse",
    "msg.unsubscribed": "abgemeldet",
    "msg.redeemed": "Gutscheine eingelöst",
    "msg.title": "Nachrichten",
    "msg.campaign": "Reaktivierungskampagne",
    "msg.none": "Noch keine Reaktivierungskampagne.",
    "msg.status": "Status",
    "msg.all": "Alle",
    "msg.byStatus": "Nach Status",
    "msg.variants": "Nach Variante",
    "msg.variant": "Variante",
    "msg.log": "Protokoll",
  },
  ro: {
    "msg.results": "Rezultate",
    "msg.unsubscribed": "dezabonați",
    "msg.redeemed": "cupoane folosite",
    "msg.title": "Mesaje",
    "msg.campaign": "Campanie de reactivare",
    "msg.none": "Nicio campanie de reactivare încă.",
    "msg.status": "Stare",
    "msg.all": "Toate",
    "msg.byStatus": "După stare",
    "msg.variants": "După variantă",
    "msg.variant": "Variantă",
    "msg.log": "Jurnal",
  },
};

export default {
  title: "msg.title",
  roles: ["owner", "marketer"],
  strings: withKit(LANGS),
  async render(root, ctx) {
    const { ui, t } = ctx;
    root.replaceChildren(ui.pageHeader(t("msg.title")));
    const list = await campaigns(ctx.api, ["reengagement"]);
    if (!list.length) {
      root.append(ui.h("p", { class: "empty" }, t("msg.none")));
      return;
    }
    const chosen = list.find((c) => c.id === ctx.query.get("campaign")) || list[0];
    const status = STATUSES.includes(ctx.query.get("status")) ? ctx.query.get("status") : "";
    const campaignSelect = ui.h("select", { name: "campaign" });
    for (const c of list) campaignSelect.append(ui.h("option", { value: c.id }, c.name));
    campaignSelect.value = chosen.id;
    const statusSelect = ui.h("select", { name: "status" }, ui.h("option", { value: "" }, t("msg.all")));
    for (const s of STATUSES) statusSelect.append(ui.h("option", { value: s }, t(`kit.st.${s}`)));
    statusSelect.value = status;
    const go = () => {
      const q = new URLSearchParams({ campaign: campaignSelect.value });
      if (statusSelect.value) q.set("status", statusSelect.value);
      ctx.navigate(`#/messages?${q}`);
    };
    campaignSelect.addEventListener("change", go);
    statusSelect.addEventListener("change", go);
    root.append(ui.h("div", { class: "toolbar" }, ui.field(t("msg.campaign"), campaignSelect), ui.field(t("msg.status"), statusSelect)));
    const summary = ui.h("div", {});
    root.append(summary);
    const base = `/v1/campaigns/${encodeURIComponent(chosen.id)}/messages`;
    let first = true;
    const log = messageList(
      ctx,
      async (cursor) => {
        const page = await ctx.api.get(base, { limit: 25, cursor, status: status || undefined });
        if (first && page.summary) {
          first = false;
          summary.append(summaryCard(ctx, page.summary));
        }
        return page;
      },
      { showCustomer: true },
    );
    root.append(ui.card(t("msg.log"), log.el));
  },
};

function summaryCard(ctx, summary) {
  const { ui, t, fmt } = ctx;
  const byStatus = Object.entries(summary.by_status || {}).filter(([, n]) => n);
  const statuses = ui.h(
    "div",
    {},
    ui.h("h3", {}, t("msg.byStatus")),
    byStatus.length
      ? ui.h("ul", { class: "stat-list" }, ...byStatus.map(([s, n]) => ui.h("li", {}, statusBadge(ctx, s), " ", ui.h("strong", {}, fmt.number(n)))))
      : ui.h("p", { class: "muted" }, t("kit.none")),
  );
  const keys = ["sent", "failed", "cancelled", "unsubscribed", "redeemed"];
  const head = (k) => (k === "unsubscribed" || k === "redeemed" ? t(`msg.${k}`) : t(`kit.st.${k}`));
  const variants = ui.h(
    "div",
    {},
    ui.h("h3", {}, t("msg.variants")),
    table(ctx, {
      caption: t("msg.variants"),
      columns: [
        { label: t("msg.variant"), value: ([name]) => name },
        ...keys.map((k) => ({ label: head(k), value: ([, v]) => fmt.number(v[k] ?? 0), align: "end" })),
      ],
      rows: Object.entries(summary.variants || {}),
      empty: t("kit.none"),
    }),
  );
  return ui.card(t("msg.results"), ui.h("div", { class: "results" }, statuses, variants));
}
