"""The run's memory of settled buyer blocks: trusted until the run changes the customer, bounded."""

from __future__ import annotations

from tutela.services.import_settled import SettledBuyers


def test_a_block_is_the_customer_it_was_settled_as_until_that_customer_changes() -> None:
    settled = SettledBuyers()
    block = SettledBuyers.digest(("US", ("ada@marketplace.amazon.com", "12 Main St")))
    assert settled.customer(block) is None
    settled.settle(block, "c1")
    assert settled.customer(block) == "c1"
    settled.unsettle("c1")
    assert settled.customer(block) is None
    assert not settled.trusted("c1")
    settled.settle(block, "c1")  # a changed customer is not settled again in this run
    assert settled.customer(block) is None


def test_digests_tell_apart_blocks_that_join_to_the_same_text() -> None:
    assert SettledBuyers.digest(("US", ("a b", "c"))) != SettledBuyers.digest(("US", ("a", "b c")))
    assert SettledBuyers.digest((None, ("a",))) != SettledBuyers.digest(("", ("a",)))
    assert len(SettledBuyers.digest(("US", ("a",)))) == 16


def test_the_memory_starts_over_when_full() -> None:
    settled = SettledBuyers(kept=2)
    first, second, third = (SettledBuyers.digest(("US", (str(n),))) for n in range(3))
    settled.settle(first, "c1")
    settled.unsettle("c9")
    settled.settle(second, "c2")
    settled.settle(third, "c3")  # full: everything before is forgotten
    assert (settled.customer(first), settled.customer(second), settled.customer(third)) == (None, None, "c3")
    assert settled.trusted("c9")
