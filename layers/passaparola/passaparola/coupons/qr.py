"""QR code images of coupon codes, as SVG for emails, web pages and print."""

import io

QUIET_ZONE = 4
"""Modules of blank border around the symbol: the minimum the QR standard asks for reliable scanning."""
SCALE = 8
"""Size of one module in SVG user units; SVG is vector, so this only sets the default rendered size."""


def qr_svg(data: str) -> str:
    """An SVG document (no XML declaration, so it can be inlined in HTML email) encoding `data` as a QR code.

    Error correction M (about 15% of the symbol may be damaged) is the usual trade-off between size and robustness
    for printed coupons; it is fixed (no automatic boost) so the output only depends on `data`. A white background
    is drawn so the code also scans in dark-mode mail clients, where a transparent one would vanish.
    """
    import segno  # here, not at import: the functions that import this module rarely draw a code (xml.sax with it)

    qr = segno.make(data, error="m", boost_error=False, micro=False)
    buffer = io.BytesIO()
    qr.save(
        buffer,
        kind="svg",
        scale=SCALE,
        border=QUIET_ZONE,
        dark="#000",
        light="#fff",
        xmldecl=False,
        svgns=True,
        nl=False,
        title=None,
    )
    return buffer.getvalue().decode("utf-8")


def qr_png(data: str) -> bytes:
    """The same symbol as a PNG: what mail clients show inline (many block SVG in email)."""
    import segno

    buffer = io.BytesIO()
    segno.make(data, error="m", boost_error=False, micro=False).save(
        buffer, kind="png", scale=SCALE, border=QUIET_ZONE, dark="#000", light="#fff"
    )
    return buffer.getvalue()
