"""Every detector, run over a text, overlaps settled (resolve.py)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator

from tutela.core.detect.addresses import street_addresses
from tutela.core.detect.dates import dates_of_birth
from tutela.core.detect.kinds import Detection, PiiType
from tutela.core.detect.names import person_names
from tutela.core.detect.network import emails, ip_addresses
from tutela.core.detect.numbers import cards, cn_mobiles, cn_resident_ids, ibans, order_ids, ssns
from tutela.core.detect.phones import phones
from tutela.core.detect.postcodes import postal_codes
from tutela.core.detect.resolve import resolve
from tutela.core.detect.tables import table_cells

# The longest value any detector reports (every pattern's repetitions are bounded well under
# this); a source that cuts a stream into chunks overlaps them by this much so that no value
# is lost on a cut.
MAX_SPAN = 256

DETECTORS: tuple[Callable[[str], Iterator[Detection]], ...] = (
    order_ids,
    emails,
    ibans,
    cn_resident_ids,
    cards,
    ssns,
    ip_addresses,
    dates_of_birth,
    cn_mobiles,
    phones,
    street_addresses,
    postal_codes,
    person_names,
)


# Types proven by a checksum or an exact format: their detections stand even inside a cell
# whose header names another type.
_PROVEN = frozenset(
    {
        PiiType.EMAIL, PiiType.AMAZON_RELAY_EMAIL, PiiType.AMAZON_ORDER_ID, PiiType.IBAN, PiiType.PAYMENT_CARD,
        PiiType.CN_RESIDENT_ID, PiiType.CN_MOBILE, PiiType.US_SSN, PiiType.IP_ADDRESS,
    }
)  # fmt: skip


def _outside_cells(found: Detection, cells: list[Detection], starts: list[int]) -> bool:
    """Whether `found` overlaps no header-typed cell of another type."""
    index = bisect_right(starts, found.start) - 1
    for cell in cells[max(index, 0) : index + 2]:
        if cell.start < found.end and found.start < cell.end and cell.type is not found.type:
            return False
    return True


def detect(text: str) -> list[Detection]:
    """Every personal-data value in `text`, sorted by start, not overlapping each other."""
    cells = list(table_cells(text))
    candidates = [found for detector in DETECTORS for found in detector(text) if found.end - found.start <= MAX_SPAN]
    if cells:
        # Under a header that names the column's type, the header outweighs a shape-only guess.
        starts = [cell.start for cell in cells]
        candidates = [c for c in candidates if c.type in _PROVEN or _outside_cells(c, cells, starts)]
        candidates.extend(cell for cell in cells if cell.end - cell.start <= MAX_SPAN)
    return resolve(candidates)
