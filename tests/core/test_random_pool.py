"""The pooled random source behind every nonce and data key: no two callers, threads or
forked processes ever receive the same bytes."""

from __future__ import annotations

import os
import threading

from tutela.core.crypto import _primitives


def test_slices_never_repeat_across_refills() -> None:
    taken = [_primitives.random_bytes(12) for _ in range(20_000)]  # several 64 KiB draws
    assert len(set(taken)) == len(taken)
    assert all(len(nonce) == 12 for nonce in taken)


def test_large_requests_come_straight_from_the_system() -> None:
    assert len(_primitives.random_bytes(1 << 16)) == 1 << 16


def test_threads_get_disjoint_bytes() -> None:
    results: list[list[bytes]] = [[] for _ in range(4)]

    def draw(into: list[bytes]) -> None:
        into.extend(_primitives.random_bytes(12) for _ in range(5_000))

    threads = [threading.Thread(target=draw, args=(r,)) for r in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [nonce for result in results for nonce in result]
    assert len(set(every)) == len(every) == 20_000


def test_a_forked_child_does_not_reuse_the_parents_buffer() -> None:
    _primitives.random_bytes(12)  # the parent's buffer now holds unused bytes
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.write(write_end, _primitives.random_bytes(32))
        os._exit(0)
    os.close(write_end)
    from_child = os.read(read_end, 32)
    os.close(read_end)
    os.waitpid(child, 0)
    assert from_child != _primitives.random_bytes(32)
