"""Overlaps between detectors are settled by how specific the evidence is: a checksum or an
exact format beats a shape, a shape beats a cue. So an Amazon order id is never also a phone
or a card, and a relay address is never also a plain e-mail."""

from __future__ import annotations

from collections.abc import Iterable

from tutela.core.detect.kinds import Detection, PiiType

# Higher wins an overlap; equal ranks fall back to confidence, then to the longer span.
RANK: dict[PiiType, int] = {
    PiiType.AMAZON_ORDER_ID: 100,
    PiiType.AMAZON_RELAY_EMAIL: 95,
    PiiType.EMAIL: 90,
    PiiType.IBAN: 85,
    PiiType.CN_RESIDENT_ID: 80,
    PiiType.PAYMENT_CARD: 75,
    PiiType.US_SSN: 70,
    PiiType.IP_ADDRESS: 65,
    PiiType.DATE_OF_BIRTH: 60,
    PiiType.CN_MOBILE: 55,
    PiiType.PHONE: 50,
    PiiType.STREET_ADDRESS: 40,
    PiiType.POSTAL_CODE: 30,
    PiiType.PERSON_NAME: 20,
}


def _strongest_first(detection: Detection) -> tuple[int, float, int, int]:
    return (-RANK[detection.type], -detection.confidence, detection.start - detection.end, detection.start)


_SMALL_CLUSTER = 32


def _settle(cluster: list[Detection]) -> list[Detection]:
    """Greedy by strength inside one cluster of transitively overlapping candidates. Such a
    cluster is a handful (each detector's own spans never overlap); a long chain, which only
    crafted input makes, is settled left to right against the last kept span instead, so
    the work stays linear."""
    kept: list[Detection] = []
    if len(cluster) > _SMALL_CLUSTER:
        for candidate in cluster:
            if kept and kept[-1].end > candidate.start:
                if _strongest_first(candidate) < _strongest_first(kept[-1]):
                    kept[-1] = candidate
                continue
            kept.append(candidate)
        return kept
    for candidate in sorted(cluster, key=_strongest_first):
        if all(candidate.end <= other.start or other.end <= candidate.start for other in kept):
            kept.append(candidate)
    return kept


def resolve(candidates: Iterable[Detection]) -> list[Detection]:
    """The non-overlapping subset that keeps the strongest candidate of every overlap, sorted
    by start. One sort and one sweep: O(n log n) in the number of candidates."""
    result: list[Detection] = []
    cluster: list[Detection] = []
    cluster_end = -1
    for candidate in sorted(candidates, key=lambda d: (d.start, d.end)):
        if cluster and candidate.start >= cluster_end:
            result.extend(sorted(_settle(cluster), key=lambda d: d.start) if len(cluster) > 1 else cluster)
            cluster = []
        cluster.append(candidate)
        cluster_end = max(cluster_end, candidate.end) if len(cluster) > 1 else candidate.end
    if cluster:
        result.extend(sorted(_settle(cluster), key=lambda d: d.start) if len(cluster) > 1 else cluster)
    return result
