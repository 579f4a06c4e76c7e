"""The progress bar: a bar and an ETA on a terminal, plain lines every few seconds otherwise."""

import io

from infra.cli.progress import Progress, duration


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_duration() -> None:
    assert [duration(s) for s in (0, 9.6, 75, 3725)] == ["0:00", "0:10", "1:15", "1:02:05"]


def test_a_terminal_gets_a_bar_redrawn_in_place_with_an_eta() -> None:
    out, clock = io.StringIO(), Clock()
    bar = Progress("codes", 100_000, out, tty=True, clock=clock)
    bar.update(0)
    clock.now += 10
    bar.update(25_000)  # 25,000 in 10 s: 75,000 more in 30 s
    clock.now += 30
    bar.finish(100_000)
    frames = out.getvalue().split("\r")[1:]
    assert frames[1].startswith("codes [#######-----------------------] 25,000/100,000  25% ETA 0:30")
    assert frames[2].rstrip() == "codes [##############################] 100,000/100,000 100% in 0:40"
    assert out.getvalue().endswith("\n") and out.getvalue().count("\n") == 1


def test_a_log_gets_plain_lines_at_most_every_five_seconds_and_the_last_one() -> None:
    out, clock = io.StringIO(), Clock()
    bar = Progress("codes", 2000, out, tty=False, clock=clock)
    for done in (0, 100, 200, 1000, 1500):
        bar.update(done)
        clock.now += 2
    bar.finish(2000)
    assert out.getvalue().splitlines() == [
        "codes: 0/2,000 (0%)",
        "codes: 1,000/2,000 (50%), ETA 0:06",  # 1,000 in 6 s
        "codes: 2,000/2,000 (100%), in 0:10",
    ]


def test_an_abandoned_bar_ends_its_line_so_an_error_starts_on_its_own() -> None:
    out = io.StringIO()
    bar = Progress("codes", 10, out, tty=True, clock=Clock())
    bar.abandon()
    assert out.getvalue() == ""  # nothing drawn, nothing to end
    bar.update(3)
    bar.abandon()
    assert out.getvalue().endswith("3/10  30%\n")
