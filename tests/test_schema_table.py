"""The checked-in schema table is exactly what the generator writes from the installed opencue-proto, and
cuetui reads it without importing opencue-proto (a test-only dependency)."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

from cuetui import schema

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import gen_schema  # noqa: E402


def test_generated_module_is_up_to_date() -> None:
    text = gen_schema.render()
    current = gen_schema.TARGET.read_text()
    assert current == text, "cuetui/schema/opencue.py is stale: run python scripts/gen_schema.py"


def test_every_registered_service_and_method_is_in_the_table() -> None:
    expected = set()
    for package in schema.opencue.PACKAGES:
        file = importlib.import_module(f"opencue_proto.{package}_pb2").DESCRIPTOR
        for service in file.services_by_name.values():
            for method in service.methods:
                path = f"/{service.full_name}/{method.name}"
                expected.add(path)
                assert schema.RPCS[path] == (method.input_type.full_name, method.output_type.full_name)
    assert set(schema.RPCS) == expected
    assert len(expected) > 250  # every RPC, not only the ones cuetui calls


def test_fields_and_enums_read_like_the_descriptors() -> None:
    from opencue_proto import job_pb2

    frame = {f.name: f for f in schema.fields("job.Frame")}
    assert frame["max_rss"].kind == "int64" and frame["max_rss"].json_name == "maxRss"
    assert frame["frame_state_display_override"].ref == "job.FrameStateDisplayOverride"
    assert schema.fields("job.JobSearchCriteria")[0].repeated
    assert {f.name: f.oneof for f in schema.fields("job.Job")}["uid"] == "uid_optional"
    assert schema.enum_names("job.FrameState") == tuple(job_pb2.FrameState.keys())
    assert schema.enum_by_number("job.FrameExitStatus")[286] == "SKIP_RETRY"
    assert schema.enum_default("host.HardwareState") == "UP"


def test_cuetui_never_imports_opencue_proto() -> None:
    code = (
        "import sys, cuetui.schema, cuetui.gateway.client, cuetui.demo.server, cuetui.cli; "
        "bad = [m for m in sys.modules if m.startswith(('opencue_proto', 'google.protobuf'))]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
