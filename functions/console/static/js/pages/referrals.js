// Referral reports for one program: leaderboard, funnel (per variant), ROI with its formula and every input,
// and the review queue of flagged conversions with approve / reject.
import { busy, campaigns, facts, pagedTable, table, withKit } from "../kit.js";

const STAGES = ["referrers", "clicks", "visits", "signups", "first_orders", "rewards_released"];
const MONEY_INPUTS = new Set(["reward_cost", "attributed_revenue", "avg_ltv_referred", "avg_ltv_other", "avg_ltv_shop_referred", "reward_per_conversion"]);
const RATE_INPUTS = new Set(["conversion_rate"]);
const ROI_INPUTS = [
  "avg_ltv_referred",
  "k",
  "reward_per_conversion",
  "invitations_per_referrer",
  "conversion_rate",
  "referrers",
  "invitations",
  "conversions",
  "reward_cost",
  "points_awarded",
  "attributed_revenue",
  "referred_customers",
  "avg_ltv_other",
  "other_customers",
  "avg_ltv_shop_referred",
  "shop_referred_customers",
];

const strings = withKit({
  en: {
    "ref.funnelVariants": "Funnel per variant",
    "ref.title": "Referrals",
    "ref.program": "Referral program",
    "ref.none": "No referral program yet.",
    "ref.leaderboard": "Leaderboard",
    "ref.period": "Period",
    "ref.period.all": "All time",
    "ref.period.year": "This year",
    "ref.period.month": "This month",
    "ref.rank": "#",
    "ref.referrer": "Referrer",
    "ref.code": "Code",
    "ref.conversions": "Conversions",
    "ref.funnel": "Funnel",
    "ref.variant": "Variant",
    "ref.total": "Total",
    "ref.stage.referrers": "Referrers",
    "ref.stage.clicks": "Clicks",
    "ref.stage.visits": "Visits",
    "ref.stage.signups": "Sign-ups",
    "ref.stage.first_orders": "First orders",
    "ref.stage.rewards_released": "Rewards released",
    "ref.rates": "Rates",
    "ref.rate.visit_per_click": "visits / clicks",
    "ref.rate.signup_per_visit": "sign-ups / visits",
    "ref.rate.order_per_click": "orders / clicks",
    "ref.rate.order_per_visit": "orders / visits",
    "ref.rate.reward_per_order": "rewards / orders",
    "ref.roi": "Return on investment",
    "ref.roiNone": "No money has moved through this program yet: no ROI to show.",
    "ref.roiUndefined": "not defined yet (an input is missing)",
    "ref.formula": "Formula",
    "ref.roiPerCurrency": "ROI in {currency}",
    "ref.roiNote": "ROI is computed for the whole program (all variants) per currency; the funnel above shows each variant.",
    "ref.in.avg_ltv_referred": "LTV: average revenue of a referred customer",
    "ref.in.k": "k: viral factor (invitations per referrer × conversion rate)",
    "ref.in.reward_per_conversion": "Reward per conversion",
    "ref.in.invitations_per_referrer": "Invitations per referrer",
    "ref.in.conversion_rate": "Conversion rate (conversions / invitations)",
    "ref.in.referrers": "Referrers",
    "ref.in.invitations": "Invitations (clicks)",
    "ref.in.conversions": "Conversions",
    "ref.in.reward_cost": "Rewards cost",
    "ref.in.points_awarded": "Points awarded",
    "ref.in.attributed_revenue": "Attributed revenue",
    "ref.in.referred_customers": "Referred customers",
    "ref.in.avg_ltv_other": "Average revenue of other customers",
    "ref.in.other_customers": "Other customers",
    "ref.in.avg_ltv_shop_referred": "Average revenue of all referred customers (shop)",
    "ref.in.shop_referred_customers": "Referred customers (shop)",
    "ref.queue": "Review queue",
    "ref.queueHint": "Conversions held by the fraud rules: approve to release the rewards, reject to void them.",
    "ref.queueEmpty": "Nothing to review.",
    "ref.when": "When",
    "ref.customer": "Customer",
    "ref.order": "Order",
    "ref.amount": "Amount",
    "ref.reasons": "Why flagged",
    "ref.decide": "Decision",
    "ref.approve": "Approve",
    "ref.reject": "Reject",
    "ref.confirmApprove": "Approve conversion {id}? Its rewards will be issued.",
    "ref.confirmReject": "Reject conversion {id}? Its rewards will be voided.",
    "ref.approved": "Conversion approved.",
    "ref.rejected": "Conversion rejected.",
  },
  it: {
    "ref.funnelVariants": "Imbuto per variante",
    "ref.title": "Referral",
    "ref.program": "Programma referral",
    "ref.none": "Nessun programma referral.",
    "ref.leaderboard": "Classifica",
    "ref.period": "Periodo",
    "ref.period.all": "Sempre",
    "ref.period.year": "Quest’anno",
    "ref.period.month": "Questo mese",
    "ref.rank": "#",
    "ref.referrer": "Chi invita",
    "ref.code": "Codice",
    "ref.conversions": "Conversioni",
    "ref.funnel": "Imbuto",
    "ref.variant": "Variante",
    "ref.total": "Totale",
    "ref.stage.referrers": "Chi invita",
    "ref.stage.clicks": "Clic",
    "ref.stage.visits": "Visite",
    "ref.stage.signups": "Iscrizioni",
    "ref.stage.first_orders": "Primi ordini",
    "ref.stage.rewards_released": "Premi rilasciati",
    "ref.rates": "Tassi",
    "ref.rate.visit_per_click": "visite / clic",
    "ref.rate.signup_per_visit": "iscrizioni / visite",
    "ref.rate.order_per_click": "ordini / clic",
    "ref.rate.order_per_visit": "ordini / visite",
    "ref.rate.reward_per_order": "premi / ordini",
    "ref.roi": "Ritorno sull’investimento",
    "ref.roiNone": "Nessun movimento di denaro in questo programma: nessun ROI da mostrare.",
    "ref.roiUndefined": "non ancora definito (manca un dato)",
    "ref.formula": "Formula",
    "ref.roiPerCurrency": "ROI in {currency}",
    "ref.roiNote": "Il ROI è calcolato sull’intero programma (tutte le varianti) per valuta; l’imbuto sopra mostra ogni variante.",
    "ref.in.avg_ltv_referred": "LTV: ricavo medio di un cliente invitato",
    "ref.in.k": "k: fattore virale (inviti per chi invita × tasso di conversione)",
    "ref.in.reward_per_conversion": "Premio per conversione",
    "ref.in.invitations_per_referrer": "Inviti per chi invita",
    "ref.in.conversion_rate": "Tasso di conversione (conversioni / inviti)",
    "ref.in.referrers": "Chi invita",
    "ref.in.invitations": "Inviti (clic)",
    "ref.in.conversions": "Conversioni",
    "ref.in.reward_cost": "Costo dei premi",
    "ref.in.points_awarded": "Punti assegnati",
    "ref.in.attributed_revenue": "Ricavi attribuiti",
    "ref.in.referred_customers": "Clienti invitati",
    "ref.in.avg_ltv_other": "Ricavo medio degli altri clienti",
    "ref.in.other_customers": "Altri clienti",
    "ref.in.avg_ltv_shop_referred": "Ricavo medio di tutti i clienti invitati (negozio)",
    "ref.in.shop_referred_customers": "Clienti invitati (negozio)",
    "ref.queue": "Da verificare",
    "ref.queueHint": "Conversioni trattenute dalle regole antifrode: approva per rilasciare i premi, rifiuta per annullarli.",
    "ref.queueEmpty": "Niente da verificare.",
    "ref.when": "Quando",
    "ref.customer": "Cliente",
    "ref.order": "Ordine",
    "ref.amount": "Importo",
    "ref.reasons": "Motivo",
    "ref.decide": "Decisione",
    "ref.approve": "Approva",
    "ref.reject": "Rifiuta",
    "ref.confirmApprove": "Approvare la conversione {id}? I premi verranno emessi.",
    "ref.confirmReject": "Rifiutare la conversione {id}? I premi verranno annullati.",
    "ref.approved": "Conversione approvata.",
    "ref.rejected": "Conversione rifiutata.",
  },
  es: {
    "ref.funnelVariants": "Embudo por variante",
    "ref.title": "Referidos",
    "ref.program": "Programa de referidos",
    "ref.none": "Aún no hay programa de referidos.",
    "ref.leaderboard": "Clasificación",
    "ref.period": "Periodo",
    "ref.period.all": "Siempre",
    "ref.period.year": "Este año",
    "ref.period.month": "Este mes",
    "ref.rank": "#",
    "ref.referrer": "Quien invita",
    "ref.code": "Código",
    "ref.conversions": "Conversiones",
    "ref.funnel": "Embudo",
    "ref.variant": "Variante",
    "ref.total": "Total",
    "ref.stage.referrers": "Quienes invitan",
    "ref.stage.clicks": "Clics",
    "ref.stage.visits": "Visitas",
    "ref.stage.signups": "Registros",
    "ref.stage.first_orders": "Primeros pedidos",
    "ref.stage.rewards_released": "Premios liberados",
    "ref.rates": "Tasas",
    "ref.rate.visit_per_click": "visitas / clics",
    "ref.rate.signup_per_visit": "registros / visitas",
    "ref.rate.order_per_click": "pedidos / clics",
    "ref.rate.order_per_visit": "pedidos / visitas",
    "ref.rate.reward_per_order": "premios / pedidos",
    "ref.roi": "Retorno de la inversión",
    "ref.roiNone": "Aún no se ha movido dinero en este programa: no hay ROI.",
    "ref.roiUndefined": "aún no definido (falta un dato)",
    "ref.formula": "Fórmula",
    "ref.roiPerCurrency": "ROI en {currency}",
    "ref.roiNote": "El ROI se calcula para todo el programa (todas las variantes) por moneda; el embudo muestra cada variante.",
    "ref.in.avg_ltv_referred": "LTV: ingreso medio de un cliente referido",
    "ref.in.k": "k: factor viral (invitaciones por persona × tasa de conversión)",
    "ref.in.reward_per_conversion": "Premio por conversión",
    "ref.in.invitations_per_referrer": "Invitaciones por persona",
    "ref.in.conversion_rate": "Tasa de conversión (conversiones / invitaciones)",
    "ref.in.referrers": "Quienes invitan",
    "ref.in.invitations": "Invitaciones (clics)",
    "ref.in.conversions": "Conversiones",
    "ref.in.reward_cost": "Coste de premios",
    "ref.in.points_awarded": "Puntos otorgados",
    "ref.in.attributed_revenue": "Ingresos atribuidos",
    "ref.in.referred_customers": "Clientes referidos",
    "ref.in.avg_ltv_other": "Ingreso medio de otros clientes",
    "ref.in.other_customers": "Otros clientes",
    "ref.in.avg_ltv_shop_referred": "Ingreso medio de todos los referidos (tienda)",
    "ref.in.shop_referred_customers": "Clientes referidos (tienda)",
    "ref.queue": "Cola de revisión",
    "ref.queueHint": "Conversiones retenidas por las reglas antifraude: aprueba para liberar los premios, rechaza para anularlos.",
    "ref.queueEmpty": "Nada que revisar.",
    "ref.when": "Cuándo",
    "ref.customer": "Cliente",
    "ref.order": "Pedido",
    "ref.amount": "Importe",
    "ref.reasons": "Motivo",
    "ref.decide": "Decisión",
    "ref.approve": "Aprobar",
    "ref.reject": "Rechazar",
    "ref.confirmApprove": "¿Aprobar la conversión {id}? Se emitirán sus premios.",
    "ref.confirmReject": "¿Rechazar la conversión {id}? Sus premios se anularán.",
    "ref.approved": "Conversión aprobada.",
    "ref.rejected": "Conversión rechazada.",
  },
  fr: {
    "ref.funnelVariants": "Entonnoir par variante",
    "ref.title": "Parrainage",
    "ref.program": "Programme de parrainage",
    "ref.none": "Aucun programme de parrainage.",
    "ref.leaderboard": "Classement",
    "ref.period": "Période",
    "ref.period.all": "Depuis le début",
    "ref.period.year": "Cette année",
    "ref.period.month": "Ce mois-ci",
    "ref.rank": "#",
    "ref.referrer": "Parrain",
    "ref.code": "Code",
    "ref.conversions": "Conversions",
    "ref.funnel": "Entonnoir",
    "ref.variant": "Variante",
    "ref.total": "Total",
    "ref.stage.referrers": "Parrains",
    "ref.stage.clicks": "Clics",
    "ref.stage.visits": "Visites",
    "ref.stage.signups": "Inscriptions",
    "ref.stage.first_orders": "Premières commandes",
    "ref.stage.rewards_released": "Récompenses versées",
    "ref.rates": "Taux",
    "ref.rate.visit_per_click": "visites / clics",
    "ref.rate.signup_per_visit": "inscriptions / visites",
    "ref.rate.order_per_click": "commandes / clics",
    "ref.rate.order_per_visit": "commandes / visites",
    "ref.rate.reward_per_order": "récompenses / commandes",
    "ref.roi": "Retour sur investissement",
    "ref.roiNone": "Aucun flux d’argent dans ce programme : pas de ROI.",
    "ref.roiUndefined": "pas encore défini (une donnée manque)",
    "ref.formula": "Formule",
    "ref.roiPerCurrency": "ROI en {currency}",
    "ref.roiNote": "Le ROI porte sur tout le programme (toutes variantes) par devise ; l’entonnoir montre chaque variante.",
    "ref.in.avg_ltv_referred": "LTV : chiffre d’affaires moyen d’un filleul",
    "ref.in.k": "k : facteur viral (invitations par parrain × taux de conversion)",
    "ref.in.reward_per_conversion": "Récompense par conversion",
    "ref.in.invitations_per_referrer": "Invitations par parrain",
    "ref.in.conversion_rate": "Taux de conversion (conversions / invitations)",
    "ref.in.referrers": "Parrains",
    "ref.in.invitations": "Invitations (clics)",
    "ref.in.conversions": "Conversions",
    "ref.in.reward_cost": "Coût des récompenses",
    "ref.in.points_awarded": "Points attribués",
    "ref.in.attributed_revenue": "Chiffre d’affaires attribué",
    "ref.in.referred_customers": "Filleuls",
    "ref.in.avg_ltv_other": "Chiffre d’affaires moyen des autres clients",
    "ref.in.other_customers": "Autres clients",
    "ref.in.avg_ltv_shop_referred": "Chiffre d’affaires moyen de tous les filleuls (boutique)",
    "ref.in.shop_referred_customers": "Filleuls (boutique)",
    "ref.queue": "À vérifier",
    "ref.queueHint": "Conversions retenues par les règles anti-fraude : approuvez pour verser les récompenses, rejetez pour les annuler.",
    "ref.queueEmpty": "Rien à vérifier.",
    "ref.when": "Quand",
    "ref.customer": "Client",
    "ref.order": "Commande",
    "ref.amount": "Montant",
    "ref.reasons": "Motif",
    "ref.decide": "Décision",
    "ref.approve": "Approuver",
    "ref.reject": "Rejeter",
    "ref.confirmApprove": "Approuver la conversion {id} ? Ses récompenses seront émises.",
    "ref.confirmReject": "Rejeter la conversion {id} ? Ses récompenses seront annulées.",
    "ref.approved": "Conversion approuvée.",
    "ref.rejected": "Conversion rejetée.",
  },
  de: {
    "ref.funnelVariants": "Trichter je Variante",
    "ref.title": "Empfehlungen",
    "ref.program": "Empfehlungsprogramm",
    "ref.none": "Noch kein Empfehlungsprogramm.",
    "ref.leaderboard": "Bestenliste",
    "ref.period": "Zeitraum",
    "ref.period.all": "Gesamt",
    "ref.period.year": "Dieses Jahr",
    "ref.period.month": "Dieser Monat",
    "ref.rank": "#",
    "ref.referrer": "Empfehler",
    "ref.code": "Code",
    "ref.conversions": "Conversions",
    "ref.funnel": "Trichter",
    "ref.variant": "Variante",
    "ref.total": "Gesamt",
    "ref.stage.referrers": "Empfehler",
    "ref.stage.clicks": "Klicks",
    "ref.stage.visits": "Besuche",
    "ref.stage.signups": "Anmeldungen",
    "ref.stage.first_orders": "Erstbestellungen",
    "ref.stage.rewards_released": "Ausgezahlte Prämien",
    "ref.rates": "Raten",
    "ref.rate.visit_per_click": "Besuche / Klicks",
    "ref.rate.signup_per_visit": "Anmeldungen / Besuche",
    "ref.rate.order_per_click": "Bestellungen / Klicks",
    "ref.rate.order_per_visit": "Bestellungen / Besuche",
    "ref.rate.reward_per_order": "Prämien / Bestellungen",
    "ref.roi": "Kapitalrendite (ROI)",
    "ref.roiNone": "In diesem Programm ist noch kein Geld geflossen: kein ROI.",
    "ref.roiUndefined": "noch nicht definiert (ein Wert fehlt)",
    "ref.formula": "Formel",
    "ref.roiPerCurrency": "ROI in {currency}",
    "ref.roiNote": "Der ROI gilt für das ganze Programm (alle Varianten) je Währung; der Trichter zeigt jede Variante.",
    "ref.in.avg_ltv_referred": "LTV: durchschnittlicher Umsatz eines geworbenen Kunden",
    "ref.in.k": "k: viraler Faktor (Einladungen je Empfehler × Conversion-Rate)",
    "ref.in.reward_per_conversion": "Prämie je Conversion",
    "ref.in.invitations_per_referrer": "Einladungen je Empfehler",
    "ref.in.conversion_rate": "Conversion-Rate (Conversions / Einladungen)",
    "ref.in.referrers": "Empfehler",
    "ref.in.invitations": "Einladungen (Klicks)",
    "ref.in.conversions": "Conversions",
    "ref.in.reward_cost": "Prämienkosten",
    "ref.in.points_awarded": "Vergebene Punkte",
    "ref.in.attributed_revenue": "Zugeordneter Umsatz",
    "ref.in.referred_customers": "Geworbene Kunden",
    "ref.in.avg_ltv_other": "Durchschnittlicher Umsatz anderer Kunden",
    "ref.in.other_customers": "Andere Kunden",
    "ref.in.avg_ltv_shop_referred": "Durchschnittlicher Umsatz aller Geworbenen (Shop)",
    "ref.in.shop_referred_customers": "Geworbene Kunden (Shop)",
    "ref.queue": "Prüfliste",
    "ref.queueHint": "Von den Betrugsregeln zurückgehaltene Conversions: genehmigen zahlt die Prämien aus, ablehnen storniert sie.",
    "ref.queueEmpty": "Nichts zu prüfen.",
    "ref.when": "Wann",
    "ref.customer": "Kunde",
    "ref.order": "Bestellung",
    "ref.amount": "Betrag",
    "ref.reasons": "Grund",
    "ref.decide": "Entscheidung",
    "ref.approve": "Genehmigen",
    "ref.reject": "Ablehnen",
    "ref.confirmApprove": "Conversion {id} genehmigen? Die Prämien werden ausgegeben.",
    "ref.confirmReject": "Conversion {id} ablehnen? Die Prämien werden storniert.",
    "ref.approved": "Conversion genehmigt.",
    "ref.rejected": "Conversion abgelehnt.",
  },
  ro: {
    "ref.funnelVariants": "Pâlnie pe variantă",
    "ref.title": "Recomandări",
    "ref.program": "Program de recomandare",
    "ref.none": "Niciun program de recomandare încă.",
    "ref.leaderboard": "Clasament",
    "ref.period": "Perioadă",
    "ref.period.all": "Dintotdeauna",
    "ref.period.year": "Anul acesta",
    "ref.period.month": "Luna aceasta",
    "ref.rank": "#",
    "ref.referrer": "Cine recomandă",
    "ref.code": "Cod",
    "ref.conversions": "Conversii",
    "ref.funnel": "Pâlnie",
    "ref.variant": "Variantă",
    "ref.total": "Total",
    "ref.stage.referrers": "Cei care recomandă",
    "ref.stage.clicks": "Clicuri",
    "ref.stage.visits": "Vizite",
    "ref.stage.signups": "Înscrieri",
    "ref.stage.first_orders": "Primele comenzi",
    "ref.stage.rewards_released": "Recompense acordate",
    "ref.rates": "Rate",
    "ref.rate.visit_per_click": "vizite / clicuri",
    "ref.rate.signup_per_visit": "înscrieri / vizite",
    "ref.rate.order_per_click": "comenzi / clicuri",
    "ref.rate.order_per_visit": "comenzi / vizite",
    "ref.rate.reward_per_order": "recompense / comenzi",
    "ref.roi": "Randamentul investiției",
    "ref.roiNone": "Niciun ban nu a trecut încă prin acest program: nu există ROI.",
    "ref.roiUndefined": "încă nedefinit (lipsește o valoare)",
    "ref.formula": "Formula",
    "ref.roiPerCurrency": "ROI în {currency}",
    "ref.roiNote": "ROI-ul se calculează pentru tot programul (toate variantele) pe monedă; pâlnia de mai sus arată fiecare variantă.",
    "ref.in.avg_ltv_referred": "LTV: venitul mediu al unui client recomandat",
    "ref.in.k": "k: factor viral (invitații per persoană × rata de conversie)",
    "ref.in.reward_per_conversion": "Recompensă per conversie",
    "ref.in.invitations_per_referrer": "Invitații per persoană",
    "ref.in.conversion_rate": "Rata de conversie (conversii / invitații)",
    "ref.in.referrers": "Cei care recomandă",
    "ref.in.invitations": "Invitații (clicuri)",
    "ref.in.conversions": "Conversii",
    "ref.in.reward_cost": "Costul recompenselor",
    "ref.in.points_awarded": "Puncte acordate",
    "ref.in.attributed_revenue": "Venit atribuit",
    "ref.in.referred_customers": "Clienți recomandați",
    "ref.in.avg_ltv_other": "Venitul mediu al altor clienți",
    "ref.in.other_customers": "Alți clienți",
    "ref.in.avg_ltv_shop_referred": "Venitul mediu al tuturor clienților recomandați (magazin)",
    "ref.in.shop_referred_customers": "Clienți recomandați (magazin)",
    "ref.queue": "De verificat",
    "ref.queueHint": "Conversii reținute de regulile antifraudă: aprobă pentru a acorda recompensele, respinge pentru a le anula.",
    "ref.queueEmpty": "Nimic de verificat.",
    "ref.when": "Când",
    "ref.customer": "Client",
    "ref.order": "Comandă",
    "ref.amount": "Sumă",
    "ref.reasons": "Motiv",
    "ref.decide": "Decizie",
    "ref.approve": "Aprobă",
    "ref.reject": "Respinge",
    "ref.confirmApprove": "Aprobi conversia {id}? Recompensele vor fi emise.",
    "ref.confirmReject": "Respingi conversia {id}? Recompensele vor fi anulate.",
    "ref.approved": "Conversie aprobată.",
    "ref.rejected": "Conversie respinsă.",
  },
});

export default {
  title: "ref.title",
  roles: ["owner", "marketer"],
  strings,
  async render(root, ctx) {
    const { ui, t } = ctx;
    root.replaceChildren(ui.pageHeader(t("ref.title")));
    const programs = await campaigns(ctx.api, ["referral"]);
    if (!programs.length) {
      root.append(ui.h("p", {}, t("ref.none")));
      return;
    }
    const chosen = programs.find((p) => p.id === ctx.query.get("campaign")) || programs[0];
    const select = ui.h("select", { name: "campaign" });
    for (const p of programs) select.append(ui.h("option", { value: p.id }, p.name));
    select.value = chosen.id;
    select.addEventListener("change", () => ctx.navigate(`#/referrals?campaign=${encodeURIComponent(select.value)}`));
    root.append(ui.h("div", { class: "toolbar" }, ui.field(t("ref.program"), select)), queueSection(ctx, chosen));
    const top = ui.h("div", { class: "grid" }, leaderboardSection(ctx, chosen));
    root.append(top);
    const [funnel, roi] = await Promise.all([
      ctx.api.get("/v1/reports/funnel", { campaign_id: chosen.id }),
      ctx.api.get("/v1/reports/roi", { campaign_id: chosen.id }),
    ]);
    const [bars, variants] = funnelCards(ctx, funnel);
    top.append(bars);
    root.append(variants, roiSection(ctx, roi));
  },
};

function leaderboardSection(ctx, program) {
  const { ui, t, fmt } = ctx;
  const period = ui.h("select", { name: "period" });
  for (const p of ["all", "year", "month"]) period.append(ui.h("option", { value: p }, t(`ref.period.${p}`)));
  const holder = ui.h("div", {});
  const load = async () => {
    const board = await ctx.api.get("/v1/reports/leaderboard", { campaign_id: program.id, period: period.value, limit: 20 });
    holder.replaceChildren(
      table(ctx, {
        columns: [
          { label: t("ref.rank"), value: (r) => String(r.rank), align: "end" },
          {
            label: t("ref.referrer"),
            value: (r) => ui.h("a", { href: `#/customers/${encodeURIComponent(r.customer_id)}` }, r.name || r.customer_id),
          },
          { label: t("ref.code"), value: (r) => ui.h("code", {}, r.code) },
          { label: t("ref.conversions"), value: (r) => fmt.number(r.conversions), align: "end" },
        ],
        rows: board.items,
        empty: t("kit.none"),
      }),
    );
  };
  period.addEventListener("change", () => load().catch((err) => ui.toast(err.message, "error")));
  load().catch((err) => holder.replaceChildren(ui.h("p", { role: "alert" }, err.message)));
  return ui.h(
    "section",
    { class: "card" },
    ui.h("div", { class: "card-header" }, ui.h("h2", {}, t("ref.leaderboard")), ui.field(t("ref.period"), period, { class: "compact" })),
    holder,
  );
}

/** The total as horizontal bars (CSS widths relative to the largest stage), and every variant in a table. */
function funnelCards(ctx, funnel) {
  const { ui, t, fmt } = ctx;
  const total = funnel.total;
  const top = Math.max(1, ...STAGES.map((s) => total[s]));
  const bars = ui.h("ol", { class: "funnel" });
  for (const stage of STAGES) {
    const fill = ui.h("span", { class: "funnel-fill" });
    fill.style.width = `${Math.max(total[stage] ? 2 : 0, (100 * total[stage]) / top)}%`;
    bars.append(
      ui.h(
        "li",
        {},
        ui.h("span", { class: "funnel-label" }, t(`ref.stage.${stage}`)),
        ui.h("span", { class: "funnel-bar", "aria-hidden": "true" }, fill),
        ui.h("span", { class: "funnel-value" }, fmt.number(total[stage])),
      ),
    );
  }
  const rate = (v) => (v === null || v === undefined ? "—" : fmt.percent(v));
  const rateNames = Object.keys(total.rates || {});
  const variants = table(ctx, {
    columns: [
      { label: t("ref.variant"), value: (r) => (r.variant === "total" ? t("ref.total") : r.variant) },
      ...STAGES.map((s) => ({ label: t(`ref.stage.${s}`), value: (r) => fmt.number(r[s]), align: "end" })),
      ...rateNames.map((n) => ({ label: t(`ref.rate.${n}`), value: (r) => rate(r.rates[n]), align: "end" })),
    ],
    rows: [...funnel.variants, total],
    empty: t("kit.none"),
  });
  return [ui.card(t("ref.funnel"), bars), ui.card(t("ref.funnelVariants"), variants)];
}

function roiSection(ctx, roi) {
  const { ui, t, fmt } = ctx;
  const el = ui.card(t("ref.roi"), ui.h("p", {}, t("ref.formula"), ": ", ui.h("code", {}, roi.formula)));
  if (!roi.items.length) {
    el.append(ui.h("p", { class: "muted" }, t("ref.roiNone")));
    return el;
  }
  const value = (name, v, currency) => {
    if (v === null || v === undefined) return "—";
    if (MONEY_INPUTS.has(name)) return fmt.money(Math.round(v), currency);
    if (RATE_INPUTS.has(name)) return fmt.percent(v);
    return Number.isInteger(v) ? fmt.number(v) : fmt.number(Math.round(v * 1000) / 1000);
  };
  for (const line of roi.items) {
    const headline = line.roi === null ? t("ref.roiUndefined") : fmt.percent(line.roi);
    el.append(
      ui.h("h3", {}, t("ref.roiPerCurrency", { currency: line.currency }), ": ", ui.h("strong", { class: "roi-value" }, headline)),
      facts(
        ui,
        ROI_INPUTS.filter((n) => n in line.inputs).map((n) => [t(`ref.in.${n}`), value(n, line.inputs[n], line.currency)]),
      ),
    );
  }
  el.append(ui.h("p", { class: "muted" }, t("ref.roiNote")));
  return el;
}

function queueSection(ctx, program) {
  const { ui, t, fmt } = ctx;
  let table;
  const decide = (row, verb) => async (e) => {
    const button = e.currentTarget; // gone from the event once the dialog has been awaited
    const ok = await ui.confirmDialog(t(verb === "approve" ? "ref.confirmApprove" : "ref.confirmReject", { id: row.id }));
    if (!ok) return;
    try {
      await busy(button, () => ctx.api.post(`/v1/referrals/conversions/${encodeURIComponent(row.id)}/${verb}`));
      ui.toast(t(verb === "approve" ? "ref.approved" : "ref.rejected"), "success");
      table.reload();
    } catch (err) {
      ui.toast(err.message, "error");
    }
  };
  const button = (row, verb) => {
    const b = ui.h(
      "button",
      { type: "button", class: verb === "approve" ? "small" : "small danger", "aria-label": `${t(`ref.${verb}`)} ${row.id}` },
      t(`ref.${verb}`),
    );
    b.addEventListener("click", decide(row, verb));
    return b;
  };
  table = pagedTable(ctx, {
    caption: t("ref.queue"),
    empty: t("ref.queueEmpty"),
    columns: [
      { label: t("ref.when"), value: (r) => fmt.dateTime(r.created_at), class: "nowrap" },
      { label: t("ref.customer"), value: (r) => ui.h("a", { href: `#/customers/${encodeURIComponent(r.customer_id)}` }, r.customer_id) },
      {
        label: t("ref.referrer"),
        value: (r) => ui.h("a", { href: `#/customers/${encodeURIComponent(r.referrer_customer_id)}` }, r.referrer_customer_id),
      },
      { label: t("ref.order"), value: (r) => r.order_id },
      { label: t("ref.amount"), value: (r) => fmt.money(r.amount, r.currency), align: "end" },
      { label: t("ref.reasons"), value: (r) => (r.reasons || []).join(", ") },
      { label: t("ref.decide"), value: (r) => ui.h("div", { class: "row-actions" }, button(r, "approve"), button(r, "reject")) },
    ],
    load: (cursor) =>
      ctx.api.get("/v1/referrals/conversions", { status: "flagged", campaign_id: program.id, limit: 25, ...(cursor ? { cursor } : {}) }),
  });
  return ui.card(t("ref.queue"), ui.h("p", { class: "muted" }, t("ref.queueHint")), table.el);
}
