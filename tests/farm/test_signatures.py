"""Error signatures: the same failure on different frames matches, different failures do not."""

from __future__ import annotations

import pytest

from cuetui.farm.signatures import (
    NO_ERROR_LINE,
    UNREADABLE,
    BadPattern,
    compile_patterns,
    normalise,
    signature_of,
    unreadable,
)

HEADER = [
    "=" * 59,
    "RenderQ JobSpec      Thu Dec 03 11:00:02 2026",
    "command              kick -i /shots/bigbuck/sh010/render.1042.ass",
    "=" * 59,
]
FOOTER = ["", "=" * 59, "RenderQ Job Complete", "", "exitStatus          1", "killMessage         Frame killed"]


def log(*body: str) -> list[str]:
    return [*HEADER, *body, *FOOTER]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        # Timestamps, frame numbers in a quoted path, shot numbers.
        (
            "[2026-12-03 11:00:02] ERROR: failed to open texture '/shots/sh010/tex/ground.1042.tx': No such file",
            "[2026-12-04 23:59:59] ERROR: failed to open texture '/shots/sh020/tex/ground.0007.tx': No such file",
        ),
        # Temp paths, pids, sizes.
        (
            "Error: cannot write /tmp/houdini_temp/sim_8f3a2c.bgeo.sc (pid 31337, 12.5 GB)",
            "Error: cannot write /tmp/houdini_temp/sim_00be41.bgeo.sc (pid 4242, 3 GB)",
        ),
        # Hex ids and UUIDs, frame names, "frame N".
        (
            "FATAL: frame 0042-render of job 7a3f9c21-1234-4abc-9def-0123456789ab crashed at 0x7ffde3a0",
            "FATAL: frame 1001-render of job 0b1c2d3e-5678-4abc-9def-abcdefabcdef crashed at 0x55d0c0ffee",
        ),
        ("ERROR: frame 12 failed: cache a1b2c3d4e5f6 missing", "ERROR: frame 1300 failed: cache 99ffee00aa11 missing"),
        # ctime stamps and clock times; padded frame slots.
        (
            "Thu Dec 03 11:00:02 2026 ERROR Read1: cannot open plate.%04d.exr frame 3",
            "Fri Dec 04 01:02:03 2026 ERROR Read1: cannot open plate.%04d.exr frame 99",
        ),
        ("12:00:01.250 error: out of memory", "03:14:15,926 error: out of memory"),
    ],
)
def test_the_same_failure_on_different_frames_matches(one: str, other: str) -> None:
    a, b = signature_of(log("loading scene", one)), signature_of(log("loading scene", other))
    assert a.text == b.text
    assert a.raw == one and b.raw == other  # the raw line is kept for display


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (
            "ERROR: failed to open texture '/shots/sh010/tex/ground.1042.tx': No such file",
            "ERROR: failed to open texture '/shots/sh010/tex/rock.1042.tx': No such file",
        ),
        ("ERROR: process killed by the OOM killer", "ERROR: Segmentation fault (core dumped) in libai.so"),
        ("Error: license checkout failed for arnold", "Error: license checkout failed for houdini"),
    ],
)
def test_different_failures_do_not_match(one: str, other: str) -> None:
    assert signature_of(log(one)).text != signature_of(log(other)).text


def test_the_signature_is_the_first_error_line_past_the_rqd_header() -> None:
    lines = log("[2026-12-03 11:00:02] INFO  | 40% done", "Error: first one 12", "Error: second one")
    sig = signature_of(lines)
    assert sig.raw == "Error: first one 12" and sig.text == "Error: first one <n>"


def test_no_error_line_and_unreadable_logs_have_their_own_signatures() -> None:
    quiet = signature_of(log("[2026-12-03 11:00:02] INFO  | 40% done"), exit_status=137)
    assert quiet.kind == NO_ERROR_LINE and quiet.text == "no error line in the log (exit 137)"
    assert quiet.raw == "[2026-12-03 11:00:02] INFO  | 40% done"  # the frame's last line, not RQD's footer
    assert signature_of(log("[2026-12-09 01:00:00] INFO  | 90% done"), exit_status=137).text == quiet.text
    lost = unreadable("cannot read the frame log /x: no such file on this machine\nhint")
    assert lost.kind == UNREADABLE and lost.text == "log unreadable"
    assert lost.raw == "cannot read the frame log /x: no such file on this machine"


def test_placeholders_survive_later_rules() -> None:
    assert normalise("at 2026-12-03 12:00:00 in /tmp/x1/y2 frame 7 size 12") == (
        "at <time> in <tmp> frame <frame> size <n>"
    )
    assert normalise("  many    spaces\there ") == "many spaces here"
    # Only whole temp directories: not a "tmp" inside another path or name.
    assert normalise("cannot read /shots/tmp/a.exr or /tmpfiles/b") == "cannot read /shots/tmp/a.exr or /tmpfiles/b"
    assert normalise("cache '/var/tmp/x_91/y'") == "cache '<tmp>'"


def test_config_patterns_apply_first() -> None:
    extra = compile_patterns([(r"asset_v\d+", "<asset>"), ("render\\d+", "<host>")])
    one = signature_of(log("ERROR: asset_v012 missing on render042"), extra=extra)
    other = signature_of(log("ERROR: asset_v3 missing on render7"), extra=extra)
    assert one.text == other.text == "ERROR: <asset> missing on <host>"
    # Without them the host names still differ only in their numbers: the built-in rules give <n>.
    assert signature_of(log("ERROR: asset_v012 missing")).text == "ERROR: asset_v<n> missing"


def test_config_patterns_can_tell_failures_apart_that_the_rules_merge() -> None:
    extra = compile_patterns([(r"layer 1\b", "layer one")])
    assert signature_of(log("Error: layer 1 failed"), extra=extra).text == "Error: layer one failed"
    assert signature_of(log("Error: layer 2 failed"), extra=extra).text == "Error: layer <n> failed"


def test_a_bad_pattern_is_reported() -> None:
    with pytest.raises(BadPattern, match="not a valid regular expression"):
        compile_patterns([("(oops", "<x>")])
