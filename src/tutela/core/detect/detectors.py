"""Every detector, run over a text, overlaps settled (resolve.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from tutela.core.detect.addresses import street_addresses
from tutela.core.detect.dates import dates_of_birth
from tutela.core.detect.kinds import Detection
from tutela.core.detect.names import person_names
from tutela.core.detect.network import emails, ip_addresses
from tutela.core.detect.numbers import cards, cn_mobiles, cn_resident_ids, ibans, order_ids, ssns
from tutela.core.detect.phones import phones
from tutela.core.detect.postcodes import postal_codes
from tutela.core.detect.resolve import resolve

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


def detect(text: str) -> list[Detection]:
    """Every personal-data value in `text`, sorted by start, not overlapping each other."""
    candidates = [found for detector in DETECTORS for found in detector(text) if found.end - found.start <= MAX_SPAN]
    return resolve(candidates)
