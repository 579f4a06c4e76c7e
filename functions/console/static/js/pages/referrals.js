// Referral reports for one program over a period (default: the API's last 30 days): leaderboard, the referrer and
// friend funnels (total and per variant, each rate a share of the step before), ROI per currency with its formula
// and every input, the variants compared (z-test), and the review queue of flagged conversions.
import { busy, campaigns, facts, pagedTable, table, withKit } from "../kit.js";

const REFERRER_STEPS = ["shared", "clicked", "brought", "rewarded"];
const REFERRER_RATES = [null, "clicked_per_shared", "brought_per_clicked", "rewarded_per_brought"];
const FRIEND_STEPS = ["clicks", "visits", "signups", "conversions", "rewarded"];
const FRIEND_RATES = [null, "visits_per_click", "signups_per_visit", "conversions_per_signup", "rewarded_per_conversion"];
const FORMULA = "ROI = (avg_ltv × (1 + k) × customers − cost) / cost";
const MONEY_INPUTS = new Set([
  "revenue",
  "avg_ltv",
  "reward_cost",
  "points_cost",
  "coupon_cost",
  "cost",
  "expected_coupon_cost",
  "average_order_value",
  "avg_ltv_other",
  "avg_ltv_shop_referred",
]);
const RATE_INPUTS = new Set(["conversion_rate"]);
const ROI_INPUTS = [
  "revenue",
  "customers",
  "avg_ltv",
  "shared",
  "clicks",
  "conversions",
  "clicks_per_referrer",
  "conversion_rate",
  "k",
  "reward_cost",
  "points",
  "points_cost",
  "coupon_cost",
  "cost",
  "expected_coupon_cost",
  "average_order_value",
  "other_customers",
  "avg_ltv_other",
  "shop_referred_customers",
  "avg_ltv_shop_referred",
];

const strings = withKit({
  en: {
    "ref.revenue": "Revenue",
    "ref.cost": "Cost",
    "ref.expected": "Expected coupon cost",
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
    "ref.roi": "Return on investment",
    "ref.roiNone": "No money has moved through this program yet: no ROI to show.",
    "ref.formula": "Formula",
    "ref.roiPerCurrency": "ROI in {currency}",
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
    "ref.from": "From",
    "ref.to": "To",
    "ref.funnelHint": "Links shared in the period, every step of a link counted on the day it was shared; each percent is the share of the step before.",
    "ref.sharesHint": "In brackets: the share of the step before.",
    "ref.ofBefore": "Share of the step before",
    "ref.referrerFunnel": "Referrers",
    "ref.friendFunnel": "Friends",
    "ref.step.r.shared": "Shared a link",
    "ref.step.r.clicked": "Link clicked",
    "ref.step.r.brought": "Brought a friend",
    "ref.step.r.rewarded": "Rewarded",
    "ref.step.f.clicks": "Clicks",
    "ref.step.f.visits": "Visits",
    "ref.step.f.signups": "Sign-ups",
    "ref.step.f.conversions": "Conversions",
    "ref.step.f.rewarded": "Referrer rewarded",
    "ref.clicksPerReferrer": "Clicks per referrer",
    "ref.inferred": "Counted although not recorded (a code typed at checkout): {clicks} clicks, {visits} visits, {signups} sign-ups.",
    "ref.roiUnavailable.points_without_value": "not available: points were awarded but the loyalty program gives them no value, so their cost is unknown",
    "ref.roiUndefined": "not defined: nothing was spent in the period (cost 0) or an input is missing",
    "ref.pointValue": "Value of points",
    "ref.pointValueIs": "{points} points = {amount}",
    "ref.pointValueNone": "not declared by the loyalty program: points have no cost to count",
    "ref.couponsOutstanding": "Coupons outstanding now",
    "ref.expectedNote": "Points cost = points released × the value of points. The expected cost of the coupons outstanding is shown apart and is not in the cost.",
    "ref.roiVariants": "ROI per variant",
    "ref.currency": "Currency",
    "ref.in.revenue": "Revenue of referred customers",
    "ref.in.customers": "Referred customers acquired",
    "ref.in.avg_ltv": "avg_ltv: average revenue of a referred customer",
    "ref.in.shared": "Referrers who shared",
    "ref.in.clicks": "Clicks",
    "ref.in.conversions": "Conversions",
    "ref.in.clicks_per_referrer": "Clicks per referrer",
    "ref.in.conversion_rate": "Conversion rate (conversions / clicks)",
    "ref.in.k": "k: viral factor (clicks per referrer × conversion rate)",
    "ref.in.reward_cost": "Money rewards released",
    "ref.in.points": "Points released",
    "ref.in.points_cost": "Points cost (points × value of points)",
    "ref.in.coupon_cost": "Discount given by the program's coupons",
    "ref.in.cost": "cost: total cost",
    "ref.in.expected_coupon_cost": "Expected cost of the coupons outstanding (not in the cost)",
    "ref.in.average_order_value": "Average order value (shop)",
    "ref.in.other_customers": "Other customers acquired (shop)",
    "ref.in.avg_ltv_other": "Average revenue of other customers",
    "ref.in.shop_referred_customers": "Referred customers acquired (shop)",
    "ref.in.avg_ltv_shop_referred": "Average revenue of all referred customers (shop)",
    "ref.compare": "Variants compared",
    "ref.compareHint": "Each variant against the first (the control): a two-proportion z-test of conversions per click. Significant when p < 0.05 with at least 30 clicks in each.",
    "ref.control": "control",
    "ref.exposed": "Clicks",
    "ref.conversionRate": "Conversion rate",
    "ref.pValue": "p-value",
    "ref.significant": "Significant",
    "ref.winner": "Winner",
    "ref.yes": "Yes",
    "ref.no": "No",
  },
  it: {
    "ref.revenue": "Ricavi",
    "ref.cost": "Costo",
    "ref.expected": "Costo atteso dei coupon",
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
    "ref.roi": "Ritorno sull’investimento",
    "ref.roiNone": "Nessun movimento di denaro in questo programma: nessun ROI da mostrare.",
    "ref.formula": "Formula",
    "ref.roiPerCurrency": "ROI in {currency}",
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
    "ref.from": "Dal",
    "ref.to": "Al",
    "ref.funnelHint": "Link condivisi nel periodo, ogni passo di un link contato nel giorno in cui è stato condiviso; ogni percentuale è la quota del passo precedente.",
    "ref.sharesHint": "Tra parentesi: la quota del passo precedente.",
    "ref.ofBefore": "Quota del passo precedente",
    "ref.referrerFunnel": "Chi invita",
    "ref.friendFunnel": "Amici",
    "ref.step.r.shared": "Ha condiviso un link",
    "ref.step.r.clicked": "Link cliccato",
    "ref.step.r.brought": "Ha portato un amico",
    "ref.step.r.rewarded": "Premiato",
    "ref.step.f.clicks": "Clic",
    "ref.step.f.visits": "Visite",
    "ref.step.f.signups": "Iscrizioni",
    "ref.step.f.conversions": "Conversioni",
    "ref.step.f.rewarded": "Chi invita premiato",
    "ref.clicksPerReferrer": "Clic per chi invita",
    "ref.inferred": "Contati anche se non registrati (un codice digitato alla cassa): {clicks} clic, {visits} visite, {signups} iscrizioni.",
    "ref.roiUnavailable.points_without_value": "non disponibile: sono stati dati punti ma il programma fedeltà non dà loro un valore, quindi il loro costo è ignoto",
    "ref.roiUndefined": "non definito: nessuna spesa nel periodo (costo 0) o manca un dato",
    "ref.pointValue": "Valore dei punti",
    "ref.pointValueIs": "{points} punti = {amount}",
    "ref.pointValueNone": "non dichiarato dal programma fedeltà: i punti non hanno un costo da contare",
    "ref.couponsOutstanding": "Coupon in circolazione ora",
    "ref.expectedNote": "Costo dei punti = punti rilasciati × valore dei punti. Il costo atteso dei coupon in circolazione è mostrato a parte e non è nel costo.",
    "ref.roiVariants": "ROI per variante",
    "ref.currency": "Valuta",
    "ref.in.revenue": "Ricavi dei clienti invitati",
    "ref.in.customers": "Clienti invitati acquisiti",
    "ref.in.avg_ltv": "avg_ltv: ricavo medio di un cliente invitato",
    "ref.in.shared": "Chi ha condiviso",
    "ref.in.clicks": "Clic",
    "ref.in.conversions": "Conversioni",
    "ref.in.clicks_per_referrer": "Clic per chi invita",
    "ref.in.conversion_rate": "Tasso di conversione (conversioni / clic)",
    "ref.in.k": "k: fattore virale (clic per chi invita × tasso di conversione)",
    "ref.in.reward_cost": "Premi in denaro rilasciati",
    "ref.in.points": "Punti rilasciati",
    "ref.in.points_cost": "Costo dei punti (punti × valore dei punti)",
    "ref.in.coupon_cost": "Sconto dato dai coupon del programma",
    "ref.in.cost": "cost: costo totale",
    "ref.in.expected_coupon_cost": "Costo atteso dei coupon in circolazione (non nel costo)",
    "ref.in.average_order_value": "Valore medio dell’ordine (negozio)",
    "ref.in.other_customers": "Altri clienti acquisiti (negozio)",
    "ref.in.avg_ltv_other": "Ricavo medio degli altri clienti",
    "ref.in.shop_referred_customers": "Clienti invitati acquisiti (negozio)",
    "ref.in.avg_ltv_shop_referred": "Ricavo medio di tutti i clienti invitati (negozio)",
    "ref.compare": "Varianti a confronto",
    "ref.compareHint": "Ogni variante contro la prima (il controllo): z-test su due proporzioni delle conversioni per clic. Significativo se p < 0,05 con almeno 30 clic in ciascuna.",
    "ref.control": "controllo",
    "ref.exposed": "Clic",
    "ref.conversionRate": "Tasso di conversione",
    "ref.pValue": "p-value",
    "ref.significant": "Significativo",
    "ref.winner": "Vincitore",
    "ref.yes": "Sì",
    "ref.no": "No",
  },
  es: {
    "ref.revenue": "Ingresos",
    "ref.cost": "Coste",
    "ref.expected": "Coste esperado de cupones",
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
    "ref.roi": "Retorno de la inversión",
    "ref.roiNone": "Aún no se ha movido dinero en este programa: no hay ROI.",
    "ref.formula": "Fórmula",
    "ref.roiPerCurrency": "ROI en {currency}",
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
    "ref.from": "Desde",
    "ref.to": "Hasta",
    "ref.funnelHint": "Enlaces compartidos en el periodo, cada paso de un enlace contado el día en que se compartió; cada porcentaje es la parte del paso anterior.",
    "ref.sharesHint": "Entre paréntesis: la parte del paso anterior.",
    "ref.ofBefore": "Parte del paso anterior",
    "ref.referrerFunnel": "Quienes invitan",
    "ref.friendFunnel": "Amigos",
    "ref.step.r.shared": "Compartió un enlace",
    "ref.step.r.clicked": "Enlace con clics",
    "ref.step.r.brought": "Trajo a un amigo",
    "ref.step.r.rewarded": "Premiado",
    "ref.step.f.clicks": "Clics",
    "ref.step.f.visits": "Visitas",
    "ref.step.f.signups": "Registros",
    "ref.step.f.conversions": "Conversiones",
    "ref.step.f.rewarded": "Quien invita premiado",
    "ref.clicksPerReferrer": "Clics por persona que invita",
    "ref.inferred": "Contados aunque no registrados (un código escrito al pagar): {clicks} clics, {visits} visitas, {signups} registros.",
    "ref.roiUnavailable.points_without_value": "no disponible: se dieron puntos pero el programa de fidelidad no les da valor, así que su coste es desconocido",
    "ref.roiUndefined": "no definido: no se gastó nada en el periodo (coste 0) o falta un dato",
    "ref.pointValue": "Valor de los puntos",
    "ref.pointValueIs": "{points} puntos = {amount}",
    "ref.pointValueNone": "no declarado por el programa de fidelidad: los puntos no tienen coste que contar",
    "ref.couponsOutstanding": "Cupones pendientes ahora",
    "ref.expectedNote": "Coste de puntos = puntos liberados × valor de los puntos. El coste esperado de los cupones pendientes se muestra aparte y no está en el coste.",
    "ref.roiVariants": "ROI por variante",
    "ref.currency": "Moneda",
    "ref.in.revenue": "Ingresos de los clientes referidos",
    "ref.in.customers": "Clientes referidos captados",
    "ref.in.avg_ltv": "avg_ltv: ingreso medio de un cliente referido",
    "ref.in.shared": "Quienes compartieron",
    "ref.in.clicks": "Clics",
    "ref.in.conversions": "Conversiones",
    "ref.in.clicks_per_referrer": "Clics por persona que invita",
    "ref.in.conversion_rate": "Tasa de conversión (conversiones / clics)",
    "ref.in.k": "k: factor viral (clics por persona × tasa de conversión)",
    "ref.in.reward_cost": "Premios en dinero liberados",
    "ref.in.points": "Puntos liberados",
    "ref.in.points_cost": "Coste de puntos (puntos × valor de los puntos)",
    "ref.in.coupon_cost": "Descuento dado por los cupones del programa",
    "ref.in.cost": "cost: coste total",
    "ref.in.expected_coupon_cost": "Coste esperado de los cupones pendientes (no en el coste)",
    "ref.in.average_order_value": "Valor medio del pedido (tienda)",
    "ref.in.other_customers": "Otros clientes captados (tienda)",
    "ref.in.avg_ltv_other": "Ingreso medio de otros clientes",
    "ref.in.shop_referred_customers": "Clientes referidos captados (tienda)",
    "ref.in.avg_ltv_shop_referred": "Ingreso medio de todos los referidos (tienda)",
    "ref.compare": "Variantes comparadas",
    "ref.compareHint": "Cada variante frente a la primera (el control): prueba z de dos proporciones de conversiones por clic. Significativa si p < 0,05 con al menos 30 clics en cada una.",
    "ref.control": "control",
    "ref.exposed": "Clics",
    "ref.conversionRate": "Tasa de conversión",
    "ref.pValue": "valor p",
    "ref.significant": "Significativa",
    "ref.winner": "Ganadora",
    "ref.yes": "Sí",
    "ref.no": "No",
  },
  fr: {
    "ref.revenue": "Chiffre d’affaires",
    "ref.cost": "Coût",
    "ref.expected": "Coût attendu des coupons",
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
    "ref.roi": "Retour sur investissement",
    "ref.roiNone": "Aucun flux d’argent dans ce programme : pas de ROI.",
    "ref.formula": "Formule",
    "ref.roiPerCurrency": "ROI en {currency}",
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
    "ref.from": "Du",
    "ref.to": "Au",
    "ref.funnelHint": "Liens partagés dans la période, chaque étape d’un lien comptée le jour de son partage ; chaque pourcentage est la part de l’étape précédente.",
    "ref.sharesHint": "Entre parenthèses : la part de l’étape précédente.",
    "ref.ofBefore": "Part de l’étape précédente",
    "ref.referrerFunnel": "Parrains",
    "ref.friendFunnel": "Filleuls",
    "ref.step.r.shared": "A partagé un lien",
    "ref.step.r.clicked": "Lien cliqué",
    "ref.step.r.brought": "A amené un filleul",
    "ref.step.r.rewarded": "Récompensé",
    "ref.step.f.clicks": "Clics",
    "ref.step.f.visits": "Visites",
    "ref.step.f.signups": "Inscriptions",
    "ref.step.f.conversions": "Conversions",
    "ref.step.f.rewarded": "Parrain récompensé",
    "ref.clicksPerReferrer": "Clics par parrain",
    "ref.inferred": "Comptés sans avoir été enregistrés (un code saisi au paiement) : {clicks} clics, {visits} visites, {signups} inscriptions.",
    "ref.roiUnavailable.points_without_value": "indisponible : des points ont été attribués mais le programme de fidélité ne leur donne pas de valeur, leur coût est donc inconnu",
    "ref.roiUndefined": "non défini : rien n’a été dépensé dans la période (coût 0) ou une donnée manque",
    "ref.pointValue": "Valeur des points",
    "ref.pointValueIs": "{points} points = {amount}",
    "ref.pointValueNone": "non déclarée par le programme de fidélité : les points n’ont pas de coût à compter",
    "ref.couponsOutstanding": "Coupons en circulation",
    "ref.expectedNote": "Coût des points = points versés × valeur des points. Le coût attendu des coupons en circulation est montré à part et n’est pas dans le coût.",
    "ref.roiVariants": "ROI par variante",
    "ref.currency": "Devise",
    "ref.in.revenue": "Chiffre d’affaires des filleuls",
    "ref.in.customers": "Filleuls acquis",
    "ref.in.avg_ltv": "avg_ltv : chiffre d’affaires moyen d’un filleul",
    "ref.in.shared": "Parrains ayant partagé",
    "ref.in.clicks": "Clics",
    "ref.in.conversions": "Conversions",
    "ref.in.clicks_per_referrer": "Clics par parrain",
    "ref.in.conversion_rate": "Taux de conversion (conversions / clics)",
    "ref.in.k": "k : facteur viral (clics par parrain × taux de conversion)",
    "ref.in.reward_cost": "Récompenses en argent versées",
    "ref.in.points": "Points versés",
    "ref.in.points_cost": "Coût des points (points × valeur des points)",
    "ref.in.coupon_cost": "Remise donnée par les coupons du programme",
    "ref.in.cost": "cost : coût total",
    "ref.in.expected_coupon_cost": "Coût attendu des coupons en circulation (hors coût)",
    "ref.in.average_order_value": "Panier moyen (boutique)",
    "ref.in.other_customers": "Autres clients acquis (boutique)",
    "ref.in.avg_ltv_other": "Chiffre d’affaires moyen des autres clients",
    "ref.in.shop_referred_customers": "Filleuls acquis (boutique)",
    "ref.in.avg_ltv_shop_referred": "Chiffre d’affaires moyen de tous les filleuls (boutique)",
    "ref.compare": "Variantes comparées",
    "ref.compareHint": "Chaque variante contre la première (le témoin) : test z de deux proportions des conversions par clic. Significatif si p < 0,05 avec au moins 30 clics dans chacune.",
    "ref.control": "témoin",
    "ref.exposed": "Clics",
    "ref.conversionRate": "Taux de conversion",
    "ref.pValue": "valeur p",
    "ref.significant": "Significatif",
    "ref.winner": "Gagnante",
    "ref.yes": "Oui",
    "ref.no": "Non",
  },
  de: {
    "ref.revenue": "Umsatz",
    "ref.cost": "Kosten",
    "ref.expected": "Erwartete Gutscheinkosten",
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
    "ref.roi": "Kapitalrendite (ROI)",
    "ref.roiNone": "In diesem Programm ist noch kein Geld geflossen: kein ROI.",
    "ref.formula": "Formel",
    "ref.roiPerCurrency": "ROI in {currency}",
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
    "ref.from": "Von",
    "ref.to": "Bis",
    "ref.funnelHint": "Im Zeitraum geteilte Links, jeder Schritt eines Links am Tag seines Teilens gezählt; jeder Prozentwert ist der Anteil am Schritt davor.",
    "ref.sharesHint": "In Klammern: der Anteil am Schritt davor.",
    "ref.ofBefore": "Anteil am Schritt davor",
    "ref.referrerFunnel": "Empfehler",
    "ref.friendFunnel": "Freunde",
    "ref.step.r.shared": "Link geteilt",
    "ref.step.r.clicked": "Link geklickt",
    "ref.step.r.brought": "Freund geworben",
    "ref.step.r.rewarded": "Belohnt",
    "ref.step.f.clicks": "Klicks",
    "ref.step.f.visits": "Besuche",
    "ref.step.f.signups": "Anmeldungen",
    "ref.step.f.conversions": "Conversions",
    "ref.step.f.rewarded": "Empfehler belohnt",
    "ref.clicksPerReferrer": "Klicks je Empfehler",
    "ref.inferred": "Gezählt, obwohl nicht erfasst (ein an der Kasse eingegebener Code): {clicks} Klicks, {visits} Besuche, {signups} Anmeldungen.",
    "ref.roiUnavailable.points_without_value": "nicht verfügbar: Punkte wurden vergeben, aber das Treueprogramm gibt ihnen keinen Wert, ihre Kosten sind also unbekannt",
    "ref.roiUndefined": "nicht definiert: im Zeitraum wurde nichts ausgegeben (Kosten 0) oder ein Wert fehlt",
    "ref.pointValue": "Wert der Punkte",
    "ref.pointValueIs": "{points} Punkte = {amount}",
    "ref.pointValueNone": "vom Treueprogramm nicht angegeben: Punkte haben keine zählbaren Kosten",
    "ref.couponsOutstanding": "Offene Gutscheine",
    "ref.expectedNote": "Punktekosten = ausgezahlte Punkte × Wert der Punkte. Die erwarteten Kosten der offenen Gutscheine stehen gesondert und nicht in den Kosten.",
    "ref.roiVariants": "ROI je Variante",
    "ref.currency": "Währung",
    "ref.in.revenue": "Umsatz der geworbenen Kunden",
    "ref.in.customers": "Gewonnene geworbene Kunden",
    "ref.in.avg_ltv": "avg_ltv: durchschnittlicher Umsatz eines geworbenen Kunden",
    "ref.in.shared": "Empfehler, die geteilt haben",
    "ref.in.clicks": "Klicks",
    "ref.in.conversions": "Conversions",
    "ref.in.clicks_per_referrer": "Klicks je Empfehler",
    "ref.in.conversion_rate": "Conversion-Rate (Conversions / Klicks)",
    "ref.in.k": "k: viraler Faktor (Klicks je Empfehler × Conversion-Rate)",
    "ref.in.reward_cost": "Ausgezahlte Geldprämien",
    "ref.in.points": "Ausgezahlte Punkte",
    "ref.in.points_cost": "Punktekosten (Punkte × Wert der Punkte)",
    "ref.in.coupon_cost": "Rabatt der Gutscheine des Programms",
    "ref.in.cost": "cost: Gesamtkosten",
    "ref.in.expected_coupon_cost": "Erwartete Kosten der offenen Gutscheine (nicht in den Kosten)",
    "ref.in.average_order_value": "Durchschnittlicher Bestellwert (Shop)",
    "ref.in.other_customers": "Andere gewonnene Kunden (Shop)",
    "ref.in.avg_ltv_other": "Durchschnittlicher Umsatz anderer Kunden",
    "ref.in.shop_referred_customers": "Gewonnene geworbene Kunden (Shop)",
    "ref.in.avg_ltv_shop_referred": "Durchschnittlicher Umsatz aller Geworbenen (Shop)",
    "ref.compare": "Varianten im Vergleich",
    "ref.compareHint": "Jede Variante gegen die erste (die Kontrolle): Zwei-Stichproben-z-Test der Conversions je Klick. Signifikant bei p < 0,05 und mindestens 30 Klicks in jeder.",
    "ref.control": "Kontrolle",
    "ref.exposed": "Klicks",
    "ref.conversionRate": "Conversion-Rate",
    "ref.pValue": "p-Wert",
    "ref.significant": "Signifikant",
    "ref.winner": "Gewinner",
    "ref.yes": "Ja",
    "ref.no": "Nein",
  },
  ro: {
    "ref.revenue": "Venit",
    "ref.cost": "Cost",
    "ref.expected": "Cost așteptat al cupoanelor",
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
    "ref.roi": "Randamentul investiției",
    "ref.roiNone": "Niciun ban nu a trecut încă prin acest program: nu există ROI.",
    "ref.formula": "Formula",
    "ref.roiPerCurrency": "ROI în {currency}",
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
    "ref.from": "De la",
    "ref.to": "Până la",
    "ref.funnelHint": "Linkuri distribuite în perioadă, fiecare pas al unui link numărat în ziua distribuirii; fiecare procent este partea din pasul anterior.",
    "ref.sharesHint": "În paranteze: partea din pasul anterior.",
    "ref.ofBefore": "Partea din pasul anterior",
    "ref.referrerFunnel": "Cei care recomandă",
    "ref.friendFunnel": "Prieteni",
    "ref.step.r.shared": "Au distribuit un link",
    "ref.step.r.clicked": "Link accesat",
    "ref.step.r.brought": "Au adus un prieten",
    "ref.step.r.rewarded": "Recompensați",
    "ref.step.f.clicks": "Clicuri",
    "ref.step.f.visits": "Vizite",
    "ref.step.f.signups": "Înscrieri",
    "ref.step.f.conversions": "Conversii",
    "ref.step.f.rewarded": "Recomandare recompensată",
    "ref.clicksPerReferrer": "Clicuri per persoană care recomandă",
    "ref.inferred": "Numărate deși neînregistrate (un cod introdus la plată): {clicks} clicuri, {visits} vizite, {signups} înscrieri.",
    "ref.roiUnavailable.points_without_value": "indisponibil: s-au acordat puncte, dar programul de fidelitate nu le dă o valoare, deci costul lor este necunoscut",
    "ref.roiUndefined": "nedefinit: nu s-a cheltuit nimic în perioadă (cost 0) sau lipsește o valoare",
    "ref.pointValue": "Valoarea punctelor",
    "ref.pointValueIs": "{points} puncte = {amount}",
    "ref.pointValueNone": "nedeclarată de programul de fidelitate: punctele nu au un cost de numărat",
    "ref.couponsOutstanding": "Cupoane nefolosite acum",
    "ref.expectedNote": "Costul punctelor = puncte acordate × valoarea punctelor. Costul așteptat al cupoanelor nefolosite este arătat separat și nu intră în cost.",
    "ref.roiVariants": "ROI pe variantă",
    "ref.currency": "Monedă",
    "ref.in.revenue": "Venitul clienților recomandați",
    "ref.in.customers": "Clienți recomandați câștigați",
    "ref.in.avg_ltv": "avg_ltv: venitul mediu al unui client recomandat",
    "ref.in.shared": "Cei care au distribuit",
    "ref.in.clicks": "Clicuri",
    "ref.in.conversions": "Conversii",
    "ref.in.clicks_per_referrer": "Clicuri per persoană",
    "ref.in.conversion_rate": "Rata de conversie (conversii / clicuri)",
    "ref.in.k": "k: factor viral (clicuri per persoană × rata de conversie)",
    "ref.in.reward_cost": "Recompense în bani acordate",
    "ref.in.points": "Puncte acordate",
    "ref.in.points_cost": "Costul punctelor (puncte × valoarea punctelor)",
    "ref.in.coupon_cost": "Reducerea dată de cupoanele programului",
    "ref.in.cost": "cost: costul total",
    "ref.in.expected_coupon_cost": "Costul așteptat al cupoanelor nefolosite (nu intră în cost)",
    "ref.in.average_order_value": "Valoarea medie a comenzii (magazin)",
    "ref.in.other_customers": "Alți clienți câștigați (magazin)",
    "ref.in.avg_ltv_other": "Venitul mediu al altor clienți",
    "ref.in.shop_referred_customers": "Clienți recomandați câștigați (magazin)",
    "ref.in.avg_ltv_shop_referred": "Venitul mediu al tuturor clienților recomandați (magazin)",
    "ref.compare": "Variante comparate",
    "ref.compareHint": "Fiecare variantă față de prima (controlul): test z pentru două proporții al conversiilor per clic. Semnificativ când p < 0,05 cu cel puțin 30 de clicuri în fiecare.",
    "ref.control": "control",
    "ref.exposed": "Clicuri",
    "ref.conversionRate": "Rata de conversie",
    "ref.pValue": "valoarea p",
    "ref.significant": "Semnificativ",
    "ref.winner": "Câștigător",
    "ref.yes": "Da",
    "ref.no": "Nu",
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
    const from = ui.h("input", { type: "date", name: "from" });
    const to = ui.h("input", { type: "date", name: "to" });
    root.append(
      ui.h("div", { class: "toolbar" }, ui.field(t("ref.program"), select), ui.field(t("ref.from"), from), ui.field(t("ref.to"), to)),
      queueSection(ctx, chosen, () => {
        board.reload();
        load();
      }),
    );
    const funnel = ui.h("div", { class: "report-slot" });
    const board = leaderboardSection(ctx, chosen);
    root.append(ui.h("div", { class: "grid" }, board, funnel));
    const rest = ui.h("div", { class: "report-slot" });
    root.append(rest);
    // the API's default period (the last 30 days, in the shop's time zone) fills the fields on the first load
    let latest = 0; // a period changed twice quickly: only the last answer is shown
    const load = async () => {
      const mine = ++latest;
      const period = { campaign_id: chosen.id, ...(from.value ? { from: from.value } : {}), ...(to.value ? { to: to.value } : {}) };
      try {
        const [f, roi, variants] = await Promise.all([
          ctx.api.get("/v1/reports/funnel", period),
          ctx.api.get("/v1/reports/roi", period),
          ctx.api.get("/v1/reports/variants", period),
        ]);
        if (mine !== latest) return;
        from.value = f.from;
        to.value = f.to;
        funnel.replaceChildren(funnelCard(ctx, f));
        rest.replaceChildren(variantFunnels(ctx, f), roiSection(ctx, roi), variantsSection(ctx, variants));
      } catch (err) {
        if (mine === latest) rest.replaceChildren(ui.h("p", { role: "alert" }, err.message));
      }
    };
    from.addEventListener("change", load);
    to.addEventListener("change", load);
    await load();
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
  const reload = () => load().catch((err) => holder.replaceChildren(ui.h("p", { role: "alert" }, err.message)));
  reload();
  const el = ui.h(
    "section",
    { class: "card" },
    ui.h("div", { class: "card-header" }, ui.h("h2", {}, t("ref.leaderboard")), ui.field(t("ref.period"), period, { class: "compact" })),
    holder,
  );
  el.reload = reload;
  return el;
}

/** One funnel as horizontal bars (widths relative to its first step), each step with its share of the step before. */
function bars(ctx, figures, steps, rates, prefix) {
  const { ui, t, fmt } = ctx;
  const top = Math.max(1, figures[steps[0]]);
  const list = ui.h("ol", { class: "funnel" });
  steps.forEach((step, i) => {
    const fill = ui.h("span", { class: "funnel-fill" });
    fill.style.width = `${Math.max(figures[step] ? 2 : 0, (100 * figures[step]) / top)}%`;
    const rate = rates[i] ? figures.rates[rates[i]] : null;
    list.append(
      ui.h(
        "li",
        {},
        ui.h("span", { class: "funnel-label" }, t(`ref.step.${prefix}${step}`)),
        ui.h("span", { class: "funnel-bar", "aria-hidden": "true" }, fill),
        ui.h("span", { class: "funnel-value" }, fmt.number(figures[step])),
        ui.h(
          "span",
          { class: "funnel-rate" },
          rates[i] ? [ui.h("span", { class: "sr-only" }, `${t("ref.ofBefore")}: `), rate === null ? "—" : fmt.percent(rate)] : "",
        ),
      ),
    );
  });
  return list;
}

/** The two funnels of the whole program (every variant), with the inferred steps said in words. */
function funnelCard(ctx, funnel) {
  const { ui, t, fmt } = ctx;
  const total = funnel.totals;
  const inferred = total.friends.inferred;
  return ui.card(
    t("ref.funnel"),
    ui.h("p", { class: "muted" }, t("ref.funnelHint")),
    ui.h("h3", {}, t("ref.referrerFunnel")),
    bars(ctx, total.referrers, REFERRER_STEPS, REFERRER_RATES, "r."),
    ui.h("h3", {}, t("ref.friendFunnel")),
    bars(ctx, total.friends, FRIEND_STEPS, FRIEND_RATES, "f."),
    facts(ui, [[t("ref.clicksPerReferrer"), ratio(fmt, total.clicks_per_referrer)]]),
    inferred.clicks || inferred.visits || inferred.signups
      ? ui.h("p", { class: "muted" }, t("ref.inferred", { clicks: inferred.clicks, visits: inferred.visits, signups: inferred.signups }))
      : null,
  );
}

function ratio(fmt, v) {
  return v === null || v === undefined ? "—" : fmt.number(Math.round(v * 100) / 100);
}

/** Every variant and the total, each step's count with its share of the step before. */
function variantFunnels(ctx, funnel) {
  const { ui, t, fmt } = ctx;
  const rows = funnel.variants.map((v) => ({ name: v.variant, ...v.totals }));
  if (rows.length > 1) rows.push({ name: t("ref.total"), ...funnel.totals });
  const cell = (figures, step, rate) =>
    rate && figures.rates[rate] !== null
      ? ui.h("span", {}, fmt.number(figures[step]), " ", ui.h("span", { class: "muted" }, `(${fmt.percent(figures.rates[rate])})`))
      : fmt.number(figures[step]);
  const columns = (key, steps, rates, prefix) => [
    { label: t("ref.variant"), value: (r) => r.name },
    ...steps.map((s, i) => ({ label: t(`ref.step.${prefix}${s}`), value: (r) => cell(r[key], s, rates[i]), align: "end" })),
  ];
  const referrers = table(ctx, { caption: t("ref.referrerFunnel"), columns: columns("referrers", REFERRER_STEPS, REFERRER_RATES, "r."), rows });
  const friends = table(ctx, {
    caption: t("ref.friendFunnel"),
    columns: [
      ...columns("friends", FRIEND_STEPS, FRIEND_RATES, "f."),
      { label: t("ref.clicksPerReferrer"), value: (r) => ratio(fmt, r.clicks_per_referrer), align: "end" },
    ],
    rows,
  });
  return ui.card(
    t("ref.funnelVariants"),
    ui.h("p", { class: "muted" }, t("ref.sharesHint")),
    ui.h("h3", {}, t("ref.referrerFunnel")),
    referrers,
    ui.h("h3", {}, t("ref.friendFunnel")),
    friends,
  );
}

/** A money figure of the ROI (floats in minor units) in its currency. */
function money(fmt, v, currency) {
  return v === null || v === undefined ? "—" : fmt.money(Math.round(v), currency);
}

function roiHeadline(ctx, line) {
  const { t, fmt } = ctx;
  if (line.roi !== null) return fmt.percent(line.roi);
  if (line.roi_unavailable) return t(`ref.roiUnavailable.${line.roi_unavailable}`);
  return t("ref.roiUndefined");
}

function roiSection(ctx, roi) {
  const { ui, t, fmt } = ctx;
  const pv = roi.point_value;
  const el = ui.card(
    t("ref.roi"),
    ui.h("p", {}, t("ref.formula"), ": ", ui.h("code", {}, FORMULA)),
    facts(ui, [
      [t("ref.pointValue"), pv ? t("ref.pointValueIs", { points: fmt.number(pv.points), amount: fmt.money(pv.amount, pv.currency) }) : t("ref.pointValueNone")],
      [t("ref.couponsOutstanding"), fmt.number(roi.coupons_outstanding)],
    ]),
  );
  if (!roi.items.length) {
    el.append(ui.h("p", { class: "muted" }, t("ref.roiNone")));
    return el;
  }
  const value = (name, v, currency) => {
    if (v === null || v === undefined) return "—";
    if (MONEY_INPUTS.has(name)) return money(fmt, v, currency);
    if (RATE_INPUTS.has(name)) return fmt.percent(v);
    return Number.isInteger(v) ? fmt.number(v) : fmt.number(Math.round(v * 1000) / 1000);
  };
  for (const line of roi.items) {
    el.append(
      ui.h("h3", {}, t("ref.roiPerCurrency", { currency: line.currency }), ": ", ui.h("strong", { class: "roi-value" }, roiHeadline(ctx, line))),
      facts(
        ui,
        ROI_INPUTS.filter((n) => n in line.inputs).map((n) => [t(`ref.in.${n}`), value(n, line.inputs[n], line.currency)]),
      ),
    );
  }
  el.append(ui.h("p", { class: "muted" }, t("ref.expectedNote")));
  const rows = roi.variants.flatMap((v) => v.items.map((line) => ({ variant: v.variant, outstanding: v.coupons_outstanding, line })));
  el.append(
    ui.h("h3", {}, t("ref.roiVariants")),
    table(ctx, {
      caption: t("ref.roiVariants"),
      columns: [
        { label: t("ref.variant"), value: (r) => r.variant },
        { label: t("ref.currency"), value: (r) => r.line.currency },
        { label: "ROI", value: (r) => (r.line.roi === null ? "—" : fmt.percent(r.line.roi)), align: "end" },
        { label: t("ref.revenue"), value: (r) => money(fmt, r.line.inputs.revenue, r.line.currency), align: "end" },
        { label: t("ref.cost"), value: (r) => money(fmt, r.line.inputs.cost, r.line.currency), align: "end" },
        { label: t("ref.expected"), value: (r) => money(fmt, r.line.inputs.expected_coupon_cost, r.line.currency), align: "end" },
        { label: t("ref.couponsOutstanding"), value: (r) => fmt.number(r.outstanding), align: "end" },
      ],
      rows,
      empty: t("kit.none"),
    }),
  );
  return el;
}

/** Each variant against the first (the control): conversions per click, money, and the z-test's verdict. */
function variantsSection(ctx, report) {
  const { ui, t, fmt } = ctx;
  const perCurrency = (map, f) => Object.entries(map || {}).map(([cur, v]) => f(v, cur)).join(" · ") || "—";
  return ui.card(
    t("ref.compare"),
    ui.h("p", { class: "muted" }, t("ref.compareHint")),
    table(ctx, {
      caption: t("ref.compare"),
      wide: true,
      columns: [
        { label: t("ref.variant"), value: (r) => (r.test ? r.variant : `${r.variant} (${t("ref.control")})`), class: "nowrap" },
        { label: t("ref.exposed"), value: (r) => fmt.number(r.exposed), align: "end" },
        { label: t("ref.conversions"), value: (r) => fmt.number(r.conversions), align: "end" },
        { label: t("ref.conversionRate"), value: (r) => fmt.percent(r.conversion_rate), align: "end" },
        { label: t("ref.revenue"), value: (r) => perCurrency(r.revenue, (v, c) => money(fmt, v, c)), align: "end" },
        { label: t("ref.cost"), value: (r) => perCurrency(r.cost, (v, c) => money(fmt, v, c)), align: "end" },
        {
          label: "ROI",
          value: (r) =>
            r.roi_unavailable ? "—" : perCurrency(r.roi, (v, c) => (v === null ? "—" : `${Object.keys(r.roi).length > 1 ? c + " " : ""}${fmt.percent(v)}`)),
          align: "end",
        },
        { label: t("ref.pValue"), value: (r) => (r.test && r.test.p_value !== null ? fmt.number(r.test.p_value) : "—"), align: "end" },
        { label: t("ref.significant"), value: (r) => (r.test ? t(r.test.significant ? "ref.yes" : "ref.no") : "—") },
        { label: t("ref.winner"), value: (r) => (r.test && r.test.winner) || "—" },
      ],
      rows: report.variants,
      empty: t("kit.none"),
    }),
  );
}

/** The flagged conversions; `decided` reloads the reports (an approved conversion enters the funnels). */
function queueSection(ctx, program, decided) {
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
      decided();
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
