"""bench/hotcode.py's simulation obeys the limits it models (so its figures can be trusted to mean them)."""

import pytest

from bench import hotcode


@pytest.fixture(autouse=True)
def short(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hotcode, "SECONDS", 1.5)
    monkeypatch.setattr(hotcode, "WARMUP", 0.5)


def test_one_item_never_takes_more_than_its_1000_wcu_a_second_of_transactional_writes() -> None:
    single = hotcode.simulate(0, hold_ms=0.1)  # conflicts out of the way: the write capacity alone limits
    assert 450 <= single.per_second <= 500 * 1.03  # 1,000 WCU/s ÷ 2 WCU, plus the bucket's 20 ms burst


def test_throughput_grows_with_the_shards_and_the_single_counter_is_far_below_the_target() -> None:
    figures = [hotcode.simulate(n).per_second for n in (0, 4, 16)]
    assert figures[0] < 1_000 < figures[1] < figures[2]
    assert hotcode.simulate(32, hold_ms=1.0).per_second >= hotcode.TARGET
