"""The few texts the product writes itself, in the customer's language: the unsubscribe footer of messages, the
unsubscribe page, the default share texts of referral links and the words for rewards in them.

The shop's own templates are never translated here; these are only what Passaparola adds or falls back to.
A locale is reduced to its language (`fr-FR` → `fr`); a language not in the catalogue gets English.
"""

from typing import Final

DEFAULT: Final = "en"

TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "decimal_separator": ".",
        "unsubscribe": "Unsubscribe",
        "sms_stop": "Stop",
        "page_title": "Unsubscribed",
        "page_email": "You will receive no more e-mails from us.",
        "page_sms": "You will receive no more text messages from us.",
        "share_subject": "{{ name }} invites you to {{ shop }}",
        "share_body": "Hi! I shop at {{ shop }} and thought you'd like it too. "
        "Use my link and get {{ referee_reward }}: {{ link }}",
        "share_social": "Get {{ referee_reward }} at {{ shop }} with my link: {{ link }}",
        "a_friend": "A friend",
        "our_shop": "our shop",
        "reward_credit": "{amount} store credit",
        "reward_amount_off": "{amount} off",
        "reward_percent_off": "{percent}% off",
        "reward_free_shipping": "free shipping",
        "reward_unit": "{quantity} free {sku}",
        "reward_coupon": "a coupon",
        "reward_discount": "a discount",
        "reward_points": "{points} points",
    },
    "it": {
        "decimal_separator": ",",
        "unsubscribe": "Annulla l'iscrizione",
        "sms_stop": "Disiscriviti",
        "page_title": "Iscrizione annullata",
        "page_email": "Non riceverai più e-mail da noi.",
        "page_sms": "Non riceverai più SMS da noi.",
        "share_subject": "{{ name }} ti invita da {{ shop }}",
        "share_body": "Ciao! Compro da {{ shop }} e ho pensato che potrebbe piacerti. "
        "Usa il mio link e ricevi {{ referee_reward }}: {{ link }}",
        "share_social": "Ricevi {{ referee_reward }} da {{ shop }} con il mio link: {{ link }}",
        "a_friend": "Un amico",
        "our_shop": "il nostro negozio",
        "reward_credit": "{amount} di credito",
        "reward_amount_off": "{amount} di sconto",
        "reward_percent_off": "{percent}% di sconto",
        "reward_free_shipping": "la spedizione gratuita",
        "reward_unit": "{quantity} {sku} in omaggio",
        "reward_coupon": "un buono sconto",
        "reward_discount": "uno sconto",
        "reward_points": "{points} punti",
    },
    "es": {
        "decimal_separator": ",",
        "unsubscribe": "Darse de baja",
        "sms_stop": "Baja",
        "page_title": "Baja confirmada",
        "page_email": "Ya no recibirás más correos electrónicos nuestros.",
        "page_sms": "Ya no recibirás más SMS nuestros.",
        "share_subject": "{{ name }} te invita a {{ shop }}",
        "share_body": "¡Hola! Compro en {{ shop }} y creo que te gustará. "
        "Usa mi enlace y consigue {{ referee_reward }}: {{ link }}",
        "share_social": "Consigue {{ referee_reward }} en {{ shop }} con mi enlace: {{ link }}",
        "a_friend": "Un amigo",
        "our_shop": "nuestra tienda",
        "reward_credit": "{amount} de saldo",
        "reward_amount_off": "{amount} de descuento",
        "reward_percent_off": "un {percent}% de descuento",
        "reward_free_shipping": "envío gratis",
        "reward_unit": "{quantity} {sku} gratis",
        "reward_coupon": "un cupón",
        "reward_discount": "un descuento",
        "reward_points": "{points} puntos",
    },
    "ro": {
        "decimal_separator": ",",
        "unsubscribe": "Dezabonare",
        "sms_stop": "Dezabonare",
        "page_title": "Dezabonare confirmată",
        "page_email": "Nu veți mai primi e-mailuri de la noi.",
        "page_sms": "Nu veți mai primi SMS-uri de la noi.",
        "share_subject": "{{ name }} te invită la {{ shop }}",
        "share_body": "Salut! Cumpăr de la {{ shop }} și cred că o să-ți placă. "
        "Folosește linkul meu și primești {{ referee_reward }}: {{ link }}",
        "share_social": "Primește {{ referee_reward }} la {{ shop }} cu linkul meu: {{ link }}",
        "a_friend": "Un prieten",
        "our_shop": "magazinul nostru",
        "reward_credit": "{amount} credit în magazin",
        "reward_amount_off": "o reducere de {amount}",
        "reward_percent_off": "o reducere de {percent}%",
        "reward_free_shipping": "livrare gratuită",
        "reward_unit": "{quantity} {sku} gratuit",
        "reward_coupon": "un cupon",
        "reward_discount": "o reducere",
        "reward_points": "{points} puncte",
    },
    "fr": {
        "decimal_separator": ",",
        "unsubscribe": "Se désabonner",
        "sms_stop": "STOP",
        "page_title": "Désabonnement confirmé",
        "page_email": "Vous ne recevrez plus d'e-mails de notre part.",
        "page_sms": "Vous ne recevrez plus de SMS de notre part.",
        "share_subject": "{{ name }} t'invite chez {{ shop }}",
        "share_body": "Salut ! J'achète chez {{ shop }} et je pense que ça te plaira. "
        "Utilise mon lien et profite de {{ referee_reward }} : {{ link }}",
        "share_social": "Profite de {{ referee_reward }} chez {{ shop }} avec mon lien : {{ link }}",
        "a_friend": "Un ami",
        "our_shop": "notre boutique",
        "reward_credit": "{amount} d'avoir",
        "reward_amount_off": "{amount} de réduction",
        "reward_percent_off": "{percent} % de réduction",
        "reward_free_shipping": "la livraison gratuite",
        "reward_unit": "{quantity} {sku} offert(s)",
        "reward_coupon": "un bon de réduction",
        "reward_discount": "une réduction",
        "reward_points": "{points} points",
    },
    "de": {
        "decimal_separator": ",",
        "unsubscribe": "Abmelden",
        "sms_stop": "Abmelden",
        "page_title": "Abgemeldet",
        "page_email": "Sie erhalten keine E-Mails mehr von uns.",
        "page_sms": "Sie erhalten keine SMS mehr von uns.",
        "share_subject": "{{ name }} lädt dich zu {{ shop }} ein",
        "share_body": "Hallo! Ich kaufe bei {{ shop }} ein und dachte, das gefällt dir auch. "
        "Nutze meinen Link und erhalte {{ referee_reward }}: {{ link }}",
        "share_social": "Hol dir {{ referee_reward }} bei {{ shop }} mit meinem Link: {{ link }}",
        "a_friend": "Ein Freund",
        "our_shop": "unserem Shop",
        "reward_credit": "{amount} Guthaben",
        "reward_amount_off": "{amount} Rabatt",
        "reward_percent_off": "{percent} % Rabatt",
        "reward_free_shipping": "kostenlosen Versand",
        "reward_unit": "{quantity} × {sku} gratis",
        "reward_coupon": "einen Gutschein",
        "reward_discount": "einen Rabatt",
        "reward_points": "{points} Punkte",
    },
}
LANGUAGES: Final = frozenset(TEXTS)


def language(locale: str | None) -> str:
    """The catalogue's language for a locale (`fr-FR`, `fr_CA`, `FR` → `fr`); English when it has none."""
    lang = (locale or "").replace("_", "-").split("-")[0].strip().lower()
    return lang if lang in TEXTS else DEFAULT


def text(key: str, locale: str | None, **values: object) -> str:
    """One text in the locale's language, `{placeholders}` filled."""
    template = TEXTS[language(locale)][key]
    return template.format(**values) if values else template


def accepted_language(header: str | None) -> str | None:
    """The first language of an HTTP Accept-Language header the catalogue has (by quality), else None."""
    ranked: list[tuple[float, str]] = []
    for part in (header or "").split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        lang = tag.strip().split("-")[0].lower()
        if lang in TEXTS and quality > 0:
            ranked.append((quality, lang))
    return max(ranked, key=lambda r: r[0])[1] if ranked else None
