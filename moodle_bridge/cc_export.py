"""IMS Common Cartridge 1.1 export of a distance-course edition, for Moodle's course restore.

Moodle imports CC 1.0 and 1.1 only (``backup/converter/imscc11`` detects the namespace
``http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1``; domain-facts.md 3.10), and turns each
``imsbasiclti_xmlv1p0`` resource into an External tool activity (``backup/cc/cc112moodle.php``).

The package: ``imsmanifest.xml`` (CC 1.1 profile of IMS CP 1.2, schema
``ccv1p1_imscp_v1p2_v1p0.xsd``) with one organization, one root item and one item per unit in
the edition's order, each pointing at a basic LTI link file (``imslticc_v1p0p1.xsd``): the unit
title, its summary, the launch URL ``<BASE_URL>/lti/launch?etwin_ref=<reference>`` and the
custom parameters ``etwin_resource=unit:<id>`` and ``etwin_ref``. Moodle's import drops custom
parameters (lti-landscape.md section 5), so the tool-signed reference (an *open* one: a unit
may be used in any course, ``etwin_lti.lti.resource_reference``) rides in the launch URL, which
becomes the launch's ``target_link_uri``; the first launch binds the activity to its unit.
Imported activities have no grade item: the first score creates the line item through AGS
(``etwin_lti.services.passback``). After the restore a Moodle administrator binds the links to
the registered LTI 1.3 tool (docs/moodle-bridge.md).

An edition without units is refused: the restore would create an empty course that only
confuses a trainer.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from xml.etree import ElementTree as ET

from etwin_lti.domain.model import Edition, Unit
from etwin_lti.errors import RuleViolationError
from etwin_lti.lti.resource_reference import CUSTOM_REFERENCE, url_with_reference

CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
LOM_NS = "http://ltsc.ieee.org/xsd/imsccv1p1/LOM/manifest"
LTICC_NS = "http://www.imsglobal.org/xsd/imslticc_v1p0"
BLTI_NS = "http://www.imsglobal.org/xsd/imsbasiclti_v1p0"
LTICM_NS = "http://www.imsglobal.org/xsd/imslticm_v1p0"
LTICP_NS = "http://www.imsglobal.org/xsd/imslticp_v1p0"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

# Where IMS publishes the schemas (informative; the tests validate against schemas/cc/).
MANIFEST_SCHEMA_LOCATION = (
    f"{CP_NS} http://www.imsglobal.org/profile/cc/ccv1p1/ccv1p1_imscp_v1p2_v1p0.xsd "
    f"{LOM_NS} http://www.imsglobal.org/profile/cc/ccv1p1/LOM/ccv1p1_lommanifest_v1p0.xsd"
)
LINK_SCHEMA_LOCATION = (
    f"{LTICC_NS} http://www.imsglobal.org/xsd/lti/ltiv1p0/imslticc_v1p0.xsd "
    f"{BLTI_NS} http://www.imsglobal.org/xsd/lti/ltiv1p0/imsbasiclti_v1p0p1.xsd "
    f"{LTICM_NS} http://www.imsglobal.org/xsd/lti/ltiv1p0/imslticm_v1p0.xsd "
    f"{LTICP_NS} http://www.imsglobal.org/xsd/lti/ltiv1p0/imslticp_v1p0.xsd"
)
BASIC_LTI_TYPE = "imsbasiclti_xmlv1p0"
VENDOR_CODE = "etwin-lti"

for _prefix, _uri in {
    "": CP_NS,
    "lomimscc": LOM_NS,
    "xsi": XSI_NS,
    "blti": BLTI_NS,
    "lticm": LTICM_NS,
    "lticp": LTICP_NS,
}.items():
    ET.register_namespace(_prefix, _uri)


def _el(parent: ET.Element, ns: str, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ns}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def link_filename(unit: Unit) -> str:
    return f"unit_{unit.id}/basiclti_link.xml"


def manifest_xml(edition: Edition, units: Sequence[Unit]) -> bytes:
    root = ET.Element(
        f"{{{CP_NS}}}manifest",
        {
            "identifier": f"etwin_edition_{edition.id}",
            f"{{{XSI_NS}}}schemaLocation": MANIFEST_SCHEMA_LOCATION,
        },
    )
    metadata = _el(root, CP_NS, "metadata")
    _el(metadata, CP_NS, "schema", "IMS Common Cartridge")
    _el(metadata, CP_NS, "schemaversion", "1.1.0")
    lom = _el(metadata, LOM_NS, "lom")
    general = _el(lom, LOM_NS, "general")
    title = _el(general, LOM_NS, "title")
    _el(title, LOM_NS, "string", edition.title, language="en")

    organizations = _el(root, CP_NS, "organizations")
    organization = _el(
        organizations, CP_NS, "organization", identifier="etwin_org", structure="rooted-hierarchy"
    )
    top = _el(organization, CP_NS, "item", identifier="etwin_root")
    resources = _el(root, CP_NS, "resources")
    for unit in units:
        resource_id = f"etwin_unit_{unit.id}_link"
        item = _el(
            top, CP_NS, "item", identifier=f"etwin_unit_{unit.id}", identifierref=resource_id
        )
        _el(item, CP_NS, "title", unit.title)
        resource = _el(resources, CP_NS, "resource", identifier=resource_id, type=BASIC_LTI_TYPE)
        _el(resource, CP_NS, "file", href=link_filename(unit))
    return _serialise(root)


def basic_lti_link_xml(
    unit: Unit, launch_url: str, tool_name: str, reference: str | None = None
) -> bytes:
    root = ET.Element(
        f"{{{LTICC_NS}}}cartridge_basiclti_link",
        {f"{{{XSI_NS}}}schemaLocation": LINK_SCHEMA_LOCATION},
    )
    # Element order is fixed by imsbasiclti_v1p0p1.xsd (BasicLTILink.Type).
    _el(root, BLTI_NS, "title", unit.title)
    if unit.summary:
        _el(root, BLTI_NS, "description", unit.summary)
    custom = _el(root, BLTI_NS, "custom")
    _el(custom, LTICM_NS, "property", f"unit:{unit.id}", name="etwin_resource")
    if reference is not None:
        _el(custom, LTICM_NS, "property", reference, name=CUSTOM_REFERENCE)
        # Moodle's import drops the custom properties: the launch URL is what it keeps.
        launch_url = url_with_reference(launch_url, reference)
    _el(root, BLTI_NS, "launch_url", launch_url)
    if launch_url.startswith("https://"):
        _el(root, BLTI_NS, "secure_launch_url", launch_url)
    vendor = _el(root, BLTI_NS, "vendor")
    _el(vendor, LTICP_NS, "code", VENDOR_CODE)
    _el(vendor, LTICP_NS, "name", tool_name)
    return _serialise(root)


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
    return data


def build_cartridge(
    edition: Edition,
    units: Sequence[Unit],
    *,
    base_url: str,
    tool_name: str = "eTwinning",
    references: Mapping[int, str] | None = None,
) -> bytes:
    """The .imscc (zip) bytes. ``units`` in the order the course shows them; ``references``:
    the tool-signed (open) reference of each unit, by unit id."""
    if not units:
        raise RuleViolationError(
            f"Edition {edition.id} has no units: there is nothing to export. Add units first."
        )
    launch_url = base_url.rstrip("/") + "/lti/launch"
    ordered = sorted(units, key=lambda unit: unit.position)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # The manifest first: some importers read only the first entries to detect the type.
        archive.writestr("imsmanifest.xml", manifest_xml(edition, ordered))
        for unit in ordered:
            reference = (references or {}).get(unit.id)
            archive.writestr(
                link_filename(unit), basic_lti_link_xml(unit, launch_url, tool_name, reference)
            )
    return buffer.getvalue()
