"""The scanner's detectors and validators: pure functions over text (DESIGN.md §3)."""

from tutela.core.detect.findings import Finding, ScanReport, Skipped
from tutela.core.detect.kinds import SEVERITY, ColumnVerdict, Detection, PiiType, Severity

__all__ = ["SEVERITY", "ColumnVerdict", "Detection", "Finding", "PiiType", "ScanReport", "Severity", "Skipped"]
