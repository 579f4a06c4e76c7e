"""QR images: well-formed, inline-friendly SVG, the same bytes for the same data."""

import xml.etree.ElementTree as ET

import segno

from passaparola.coupons.qr import QUIET_ZONE, qr_svg

SVG = "{http://www.w3.org/2000/svg}svg"


def test_segno_is_importable() -> None:
    assert segno.__version__


def test_given_code_when_rendered_then_svg_document_without_xml_declaration() -> None:
    svg = qr_svg("PROMO-4827")
    assert svg.startswith("<svg")
    root = ET.fromstring(svg)
    assert root.tag == SVG
    assert int(root.attrib["width"]) == int(root.attrib["height"]) > 0


def test_given_same_data_when_rendered_twice_then_identical() -> None:
    assert qr_svg("PROMO-4827") == qr_svg("PROMO-4827")
    assert qr_svg("PROMO-4827") != qr_svg("PROMO-4828")


def test_given_code_when_rendered_then_error_correction_m_and_quiet_zone() -> None:
    qr = segno.make("PROMO-4827", error="m", boost_error=False, micro=False)
    assert qr.error == "M"
    size = (qr.symbol_size(scale=1, border=QUIET_ZONE))[0]
    root = ET.fromstring(qr_svg("PROMO-4827"))
    assert int(root.attrib["width"]) % size == 0  # scaled symbol including the 4-module border


def test_given_url_when_rendered_then_svg_has_opaque_background() -> None:
    svg = qr_svg("https://shop.example/redeem?code=PROMO-4827")
    assert 'fill="#fff"' in svg
    ET.fromstring(svg)
