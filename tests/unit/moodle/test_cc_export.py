"""Common Cartridge 1.1 export: structure always; schema validity against schemas/cc/ XSDs."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import xmlschema

from etwin_lti.domain.model import Edition, Unit
from etwin_lti.errors import RuleViolationError
from moodle_bridge.cc_export import BLTI_NS, CP_NS, LTICM_NS, build_cartridge

SCHEMAS = Path(__file__).resolve().parents[3] / "schemas" / "cc"
EDITION = Edition(7, "Distance course 2026", 2026, date(2026, 1, 1), date(2026, 6, 30))
UNITS = [
    Unit(12, 7, "Unit 2: Projects & partners", "Founding a project", 2),
    Unit(11, 7, "Unit 1: What is eTwinning?", "", 1),
]


def unpack(package: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_one_lti_link_per_unit_in_order() -> None:
    files = unpack(build_cartridge(EDITION, UNITS, base_url="https://tool.example/"))
    assert next(iter(files)) == "imsmanifest.xml"
    manifest = ET.fromstring(files["imsmanifest.xml"])
    assert manifest.tag == f"{{{CP_NS}}}manifest"
    assert manifest.findtext(f"{{{CP_NS}}}metadata/{{{CP_NS}}}schemaversion") == "1.1.0"
    items = manifest.findall(f".//{{{CP_NS}}}organization/{{{CP_NS}}}item/{{{CP_NS}}}item")
    titles = [item.findtext(f"{{{CP_NS}}}title") for item in items]
    assert titles == ["Unit 1: What is eTwinning?", "Unit 2: Projects & partners"]
    resources = manifest.findall(f".//{{{CP_NS}}}resource")
    assert {r.get("type") for r in resources} == {"imsbasiclti_xmlv1p0"}
    for item, resource, unit_id in zip(items, resources, (11, 12), strict=True):
        assert item.get("identifierref") == resource.get("identifier")
        href = resource.find(f"{{{CP_NS}}}file").get("href")  # type: ignore[union-attr]
        link = ET.fromstring(files[href])
        assert link.findtext(f"{{{BLTI_NS}}}launch_url") == "https://tool.example/lti/launch"
        prop = link.find(f"{{{BLTI_NS}}}custom/{{{LTICM_NS}}}property")
        assert prop is not None and prop.get("name") == "etwin_resource"
        assert prop.text == f"unit:{unit_id}"


def test_edition_without_units_is_refused() -> None:
    with pytest.raises(RuleViolationError, match="no units"):
        build_cartridge(EDITION, [], base_url="https://tool.example")


MANIFEST_XSDS = (
    "ccv1p1_imscp_v1p2_v1p0.xsd",
    "ccv1p1_imsccauth_v1p1.xsd",
    "ccv1p1_lommanifest_v1p0.xsd",
    "ccv1p1_lomresource_v1p0.xsd",
)
LINK_XSDS = (
    "imslticc_v1p0p1.xsd",
    "imsbasiclti_v1p0p1.xsd",
    "imslticm_v1p0.xsd",
    "imslticp_v1p0.xsd",
)


def _schema(main: str, needed: tuple[str, ...]) -> xmlschema.XMLSchema:
    # The XSDs are stored in schemas/cc/ and xmlschema is a test dependency: a missing one is a
    # broken checkout or install, so it fails here instead of skipping quietly.
    missing = [name for name in needed if not (SCHEMAS / name).exists()]
    assert not missing, f"CC 1.1 XSDs missing from schemas/cc/ (see its README): {missing}"
    return xmlschema.XMLSchema(str(SCHEMAS / main))


def test_manifest_validates_against_cc11_schema() -> None:
    schema = _schema("ccv1p1_imscp_v1p2_v1p0.xsd", MANIFEST_XSDS)
    files = unpack(build_cartridge(EDITION, UNITS, base_url="https://tool.example"))
    schema.validate(files["imsmanifest.xml"].decode())


def test_links_validate_against_basiclti_schema() -> None:
    schema = _schema("imslticc_v1p0p1.xsd", LINK_XSDS)
    files = unpack(build_cartridge(EDITION, UNITS, base_url="http://tool.example"))
    for name, data in files.items():
        if name != "imsmanifest.xml":
            schema.validate(data.decode())


def test_the_reference_rides_in_the_launch_url_moodle_keeps() -> None:
    references = {11: "ref-eleven.sig", 12: "ref-twelve.sig"}
    files = unpack(
        build_cartridge(EDITION, UNITS, base_url="https://tool.example", references=references)
    )
    schema = _schema("imslticc_v1p0p1.xsd", LINK_XSDS)
    for unit_id, reference in references.items():
        data = files[f"unit_{unit_id}/basiclti_link.xml"]
        schema.validate(data.decode())
        link = ET.fromstring(data)
        url = "https://tool.example/lti/launch?etwin_ref=" + reference
        assert link.findtext(f"{{{BLTI_NS}}}launch_url") == url
        assert link.findtext(f"{{{BLTI_NS}}}secure_launch_url") == url
        props = {
            p.get("name"): p.text
            for p in link.findall(f"{{{BLTI_NS}}}custom/{{{LTICM_NS}}}property")
        }
        assert props == {"etwin_resource": f"unit:{unit_id}", "etwin_ref": reference}
