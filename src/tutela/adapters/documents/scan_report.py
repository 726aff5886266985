"""A scan's report in the forms its readers use: JSON (the stable schema of docs/scanner.md),
SARIF 2.1.0 (code-scanning tools show the findings beside the file), and a self-contained
HTML page grouped by location and type. All three carry masked previews only."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from tutela import __version__
from tutela.adapters.documents.templating import environment
from tutela.core.detect import Finding, PiiType, ScanReport, Severity, Skipped
from tutela.services.scanning import RunDetail

JSON_SCHEMA = "tutela.scan/1"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# An archive member or a sheet is `outer!inner`; SARIF names the outer file and keeps the rest.
MEMBER_SEPARATOR = "!"

TYPE_LABELS: dict[PiiType, str] = {
    PiiType.EMAIL: "e-mail address",
    PiiType.AMAZON_RELAY_EMAIL: "Amazon relay e-mail address",
    PiiType.PHONE: "phone number",
    PiiType.PERSON_NAME: "person's name",
    PiiType.STREET_ADDRESS: "street address",
    PiiType.POSTAL_CODE: "postal code",
    PiiType.PAYMENT_CARD: "payment card number",
    PiiType.IBAN: "IBAN",
    PiiType.US_SSN: "US social security number",
    PiiType.IP_ADDRESS: "IP address",
    PiiType.DATE_OF_BIRTH: "date of birth",
    PiiType.AMAZON_ORDER_ID: "Amazon order id",
    PiiType.CN_MOBILE: "Chinese mobile number",
    PiiType.CN_RESIDENT_ID: "Chinese resident identity number",
}


def finding_dict(finding: Finding) -> dict[str, Any]:
    """One finding as the JSON schema has it (every key present, null when not applicable)."""
    return {
        "path": finding.location,
        "line": finding.line,
        "start": finding.start,
        "end": finding.end,
        "column": finding.column,
        "key_path": finding.key_path,
        "type": str(finding.type),
        "severity": str(finding.severity),
        "detector": finding.detector,
        "confidence": round(finding.confidence, 3),
        "preview": finding.preview,
        "count": finding.count,
        "sampled": finding.sampled,
    }


def summary(report: ScanReport) -> dict[str, Any]:
    by_type = Counter(str(f.type) for f in report.findings)
    high = sum(1 for f in report.findings if f.severity is Severity.HIGH)
    return {
        "locations_scanned": report.locations_scanned,
        "bytes_scanned": report.bytes_scanned,
        "replaced_characters": report.replaced_characters,
        "findings": len(report.findings),
        "high": high,
        "low": len(report.findings) - high,
        "by_type": dict(sorted(by_type.items())),
        "skipped": len(report.skipped),
    }


def report_json(report: ScanReport) -> str:
    document = {
        "schema": JSON_SCHEMA,
        "tool": {"name": "tutela", "version": __version__},
        "summary": summary(report),
        "findings": [finding_dict(f) for f in report.findings],
        "skipped": [{"path": s.location, "reason": s.reason} for s in report.skipped],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _sarif_rules(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    rules: dict[str, dict[str, Any]] = {}
    for finding in findings:
        if finding.detector in rules:
            continue
        label = TYPE_LABELS[finding.type]
        rules[finding.detector] = {
            "id": finding.detector,
            "name": finding.detector.replace(".", "-"),
            "shortDescription": {"text": f"Personal data: {label}"},
            "fullDescription": {"text": f"A {label} where personal data should not be (Amazon DPP §2.3, §2.6)."},
            "defaultConfiguration": {"level": _level(finding.severity)},
            "properties": {"pii_type": str(finding.type), "severity": str(finding.severity)},
        }
    return [rules[key] for key in sorted(rules)]


def _level(severity: Severity) -> str:
    return "error" if severity is Severity.HIGH else "warning"


def _sarif_result(finding: Finding) -> dict[str, Any]:
    outer, _, inner = finding.location.partition(MEMBER_SEPARATOR)
    where = f" in column '{finding.column}'" if finding.column else ""
    where += f" at {finding.key_path}" if finding.key_path else ""
    count = f" ({finding.count} values)" if finding.count > 1 else ""
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(outer)}}
    if finding.line is not None and not inner:
        region: dict[str, Any] = {"startLine": finding.line}
        if finding.start is not None and finding.end is not None:
            region |= {"charOffset": finding.start, "charLength": finding.end - finding.start}
        physical["region"] = region
    result: dict[str, Any] = {
        "ruleId": finding.detector,
        "level": _level(finding.severity),
        "message": {"text": f"{TYPE_LABELS[finding.type]}{where}{count}: {finding.preview}"},
        "locations": [{"physicalLocation": physical}],
        "properties": {"confidence": round(finding.confidence, 3), "pii_type": str(finding.type)},
    }
    if inner:
        result["locations"][0]["logicalLocations"] = [{"fullyQualifiedName": inner, "kind": "member"}]
    return result


def _uri(path: str) -> str:
    """SARIF wants a URI: an absolute path becomes file:///…, a relative one stays relative
    (resolved against the folder the scan ran in)."""
    if PurePosixPath(path).is_absolute():
        return PurePosixPath(path).as_uri()
    return quote(path.replace("\\", "/"))


def report_sarif(report: ScanReport) -> str:
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "tutela", "version": __version__, "rules": _sarif_rules(report.findings)}},
                "results": [_sarif_result(f) for f in report.findings],
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": [
                            {"level": "note", "message": {"text": f"not scanned: {s.location} ({s.reason})"}}
                            for s in report.skipped
                        ],
                    }
                ],
            }
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def grouped(findings: Iterable[Finding]) -> list[tuple[str, list[tuple[str, list[Finding]]]]]:
    """Findings by location, then by type (label), in a stable order."""
    by_location: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for finding in findings:
        by_location[finding.location][TYPE_LABELS[finding.type]].append(finding)
    return [(where, sorted(types.items())) for where, types in sorted(by_location.items())]


def report_html(report: ScanReport, *, title: str = "Personal data scan", generated_at: str = "") -> str:
    return (
        environment()
        .get_template("scan_report.html")
        .render(
            title=title,
            generated_at=generated_at,
            summary=summary(report),
            groups=grouped(report.findings),
            skipped=report.skipped,
            labels={str(k): v for k, v in TYPE_LABELS.items()},
        )
    )


def report_of_run(detail: RunDetail) -> ScanReport:
    """A stored run as a report again (the findings it kept; the totals it counted), for the
    CLI's `scans show`, the API's and the console's downloads alike."""
    findings = [
        Finding(
            location=f["location"], type=PiiType(f["type"]), detector=f["detector"], confidence=f["confidence"],
            preview=f["preview"], line=f["line"], start=f["start_offset"], end=f["end_offset"],
            column=f["column_name"], key_path=f["key_path"], count=f["value_count"], sampled=f["sampled"],
        )
        for f in detail.findings
    ]  # fmt: skip
    return ScanReport(
        findings=findings,
        skipped=[Skipped(s["location"], s["reason"]) for s in detail.skipped],
        locations_scanned=detail.run.locations_done,
        bytes_scanned=detail.run.bytes_done,
        replaced_characters=detail.run.replaced_characters,
    )


# A stored run's report as a download: its media type, and the document.
MEDIA_TYPES = {"json": "application/json", "sarif": "application/sarif+json", "html": "text/html; charset=utf-8"}
# The HTML report styles itself inline and does nothing else (no scripts, no requests).
HTML_REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def run_document(detail: RunDetail, fmt: str, *, generated_at: str) -> str:
    """The report of a finished run in one of MEDIA_TYPES' forms (the API's and the console's download)."""
    report = report_of_run(detail)
    if fmt == "html":
        return report_html(report, title=f"Personal data scan {detail.run.id}: {detail.run.location}",
                           generated_at=generated_at)  # fmt: skip
    return report_json(report) if fmt == "json" else report_sarif(report)
