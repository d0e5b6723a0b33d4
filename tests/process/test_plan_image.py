"""Which OpenClaw judged, and which one the pod runs: the image read from --base-deployment.

Pinned: the target container's image is read (not an init container's, not another
container's), printed next to the judging release with the words for how they may differ,
and carried in plan.json; without --base-deployment the sample's image is not passed off as
the pod's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_openclaw import answer, install_fake
from stack_files import CLUSTER_STACK_FILE

from tools.plan import app as plan
from tools.plan import judging as plan_judging
from tools.plan.image import PodImage, image_of, note, same_release, tag_of

pytestmark = pytest.mark.process  # a fake openclaw process per judgement

FIXTURES = Path(__file__).parent.parent / "fixtures" / "plan"
# The cluster-mode dev stack (stack_files.py): its plan.txt ends with the verdict block (git
# mode's notes on the sample manifest would follow it).
CLUSTER = ["--stack-file", str(CLUSTER_STACK_FILE)]
DEPLOYMENT = FIXTURES / "deployment-build-tag.yaml"
IMAGE = "registry.example.com/team/openclaw:202602170222"
BUILD_TIME_NOTE = (
    "its tag 202602170222 is not an OpenClaw release (it reads as a build time, 2026-02-17 "
    "02:22, so an OpenClaw of that date or earlier, older than 2099.1.2): the pod may accept "
    "keys 2099.1.2 rejects, or the reverse; the verdict is for OpenClaw 2099.1.2 (to judge "
    "with an older release: --openclaw-version X, 2026.3.2 or later)"
)


@pytest.fixture(autouse=True)
def no_installed_openclaw(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(plan_judging, "pinned", lambda: None)
    monkeypatch.setenv("OPENCLAW_CRON_WEBHOOK_CACHE", str(tmp_path / "cache"))


def test_the_pods_image_is_read_from_the_deployment_and_shown_beside_the_judge(
    tmp_path: Path,
) -> None:
    fake = install_fake(tmp_path / "bin" / "openclaw")
    answer(fake, {"valid": True})
    out = tmp_path / "out"
    args = [*CLUSTER, "--openclaw", str(fake), "--base-deployment", str(DEPLOYMENT)]
    args += ["--out", str(out)]

    assert plan.main(args) == 0

    assert (
        (out / "plan.txt")
        .read_text()
        .endswith(
            "\nopenclaw.json judged by OpenClaw 2099.1.2: valid\n"
            f"  judged by OpenClaw 2099.1.2; the pod runs {IMAGE} (container openclaw of "
            "Deployment openclaw/openclaw):\n"
            f"    {BUILD_TIME_NOTE}\n"
        )
    )
    assert json.loads((out / "plan.json").read_text())["openclaw"]["pod"] == {
        "image": IMAGE,
        "container": "openclaw",
        "deployment": "openclaw/openclaw",
        "source": str(DEPLOYMENT.relative_to(Path(__file__).parents[2])),
        "same_release": None,
        "note": BUILD_TIME_NOTE,
    }


@pytest.mark.parametrize(
    ("tag", "same"), [("2099.1.2", True), ("v2099.1.2-slim", True), ("2026.9.6", False)]
)
def test_plan_json_says_whether_the_pod_runs_the_release_that_judged(
    tmp_path: Path, tag: str, same: bool
) -> None:
    """A tool reading plan.json (the PR comment) must not need to parse the note to learn
    whether the verdict holds for the pod's own release."""
    fake = install_fake(tmp_path / "bin" / "openclaw")
    answer(fake, {"valid": True})
    pods = tmp_path / "deployment.yaml"
    pods.write_text(DEPLOYMENT.read_text().replace(IMAGE, f"ghcr.io/openclaw/openclaw:{tag}"))
    out = tmp_path / "out"
    args = [*CLUSTER, "--openclaw", str(fake), "--base-deployment", str(pods), "--out", str(out)]

    assert plan.main(args) == 0

    assert json.loads((out / "plan.json").read_text())["openclaw"]["pod"]["same_release"] is same


def test_unjudged_the_image_is_still_shown(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = [*CLUSTER, "--no-openclaw", "--base-deployment", str(DEPLOYMENT), "--out", str(out)]
    assert plan.main(args) == 0
    assert (
        (out / "plan.txt")
        .read_text()
        .endswith(
            "\nopenclaw.json not judged by OpenClaw: skipped (--no-openclaw)\n"
            f"  unjudged; the pod runs {IMAGE} (container openclaw of Deployment "
            "openclaw/openclaw):\n"
            "    no OpenClaw judged the document, so nothing was checked for any release\n"
        )
    )


def test_the_samples_image_is_not_taken_for_the_pods(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert plan.main(["--out", str(out)]) == 0
    assert json.loads((out / "plan.json").read_text())["openclaw"]["pod"] is None
    assert "the pod runs" not in (out / "plan.txt").read_text()


def deployment(*containers: dict[str, object]) -> dict[str, object]:
    return {
        "metadata": {"namespace": "apps", "name": "gw"},
        "spec": {"template": {"spec": {"containers": list(containers)}}},
    }


def test_image_of_reads_the_named_container_only() -> None:
    both = deployment({"name": "sidecar", "image": "busybox:1"}, {"name": "app", "image": "a:2"})
    assert image_of(both, "app", "d.yaml") == PodImage("a:2", "app", "apps/gw", "d.yaml")
    assert image_of(both, "missing", "d.yaml") is None
    assert image_of(deployment({"name": "app"}), "app", "d.yaml") is None
    assert image_of({"spec": None}, "app", "d.yaml") is None
    assert image_of(deployment({"name": "app", "image": ""}), "app", "d.yaml") is None
    assert image_of(deployment({"name": "app", "image": 2026}), "app", "d.yaml") is None


@pytest.mark.parametrize(
    ("image", "tag"),
    [
        ("ghcr.io/openclaw/openclaw:2026.9.6", "2026.9.6"),
        ("localhost:5000/openclaw:v2026.9.6", "v2026.9.6"),
        ("localhost:5000/openclaw", None),
        ("openclaw@sha256:0123", None),
        ("ghcr.io/o/openclaw:2026.9.6@sha256:0123", "2026.9.6"),
        ("ghcr.io/o/openclaw:2026.9.6@sha256:0123@x", "2026.9.6"),  # the first @ ends it
        ("r.example/team:x/openclaw", None),  # a colon before the last segment is no tag
        ("r.example/openclaw:2026.9.6:x", "2026.9.6:x"),  # all after the segment's first colon
    ],
)
def test_the_tag_is_what_follows_the_last_path_segments_colon(image: str, tag: str | None) -> None:
    assert tag_of(image) == tag


@pytest.mark.parametrize(
    ("image", "same", "expected"),
    [
        (
            "ghcr.io/openclaw/openclaw:2026.9.6",
            True,
            "its tag names OpenClaw 2026.9.6, the release that judged",
        ),
        (
            "ghcr.io/openclaw/openclaw:v2026.9.6-slim",
            True,
            "its tag names OpenClaw 2026.9.6, the release that judged",
        ),
        (
            "ghcr.io/openclaw/openclaw:2026.3.23-1",
            False,
            "its tag names OpenClaw 2026.3.23-1, not the 2026.9.6 that judged: they may accept "
            "different keys; the verdict is for OpenClaw 2026.9.6 (judge with the pod's "
            "release: --openclaw-version 2026.3.23-1)",
        ),
        (
            "r.example/openclaw:20261001120000",
            None,
            "its tag 20261001120000 is not an OpenClaw release (it reads as a build time, "
            "2026-10-01 12:00): the pod may accept keys 2026.9.6 rejects, or the reverse; the "
            "verdict is for OpenClaw 2026.9.6 (to judge with an older release: "
            "--openclaw-version X, 2026.3.2 or later)",
        ),
        (
            "r.example/openclaw:202602170222",
            None,
            "its tag 202602170222 is not an OpenClaw release (it reads as a build time, "
            "2026-02-17 02:22, so an OpenClaw of that date or earlier, older than 2026.9.6): the "
            "pod may accept keys 2026.9.6 rejects, or the reverse; the verdict is for OpenClaw "
            "2026.9.6 (to judge with an older release: --openclaw-version X, 2026.3.2 or later)",
        ),
        (
            "r.example/openclaw:202609061200",  # built on the release's day: not older
            None,
            "its tag 202609061200 is not an OpenClaw release (it reads as a build time, "
            "2026-09-06 12:00): the pod may accept keys 2026.9.6 rejects, or the reverse; the "
            "verdict is for OpenClaw 2026.9.6 (to judge with an older release: "
            "--openclaw-version X, 2026.3.2 or later)",
        ),
        (
            "r.example/openclaw:202613990000",  # no such date: just digits
            None,
            "its tag 202613990000 is not an OpenClaw release: the pod may run another OpenClaw "
            "than 2026.9.6; the verdict is for OpenClaw 2026.9.6",
        ),
        (
            "r.example/openclaw",
            None,
            "its tag latest is not an OpenClaw release: the pod may run another OpenClaw than "
            "2026.9.6; the verdict is for OpenClaw 2026.9.6",
        ),
        (
            "r.example/openclaw@sha256:0123",
            None,
            "pinned by digest, its OpenClaw release is not visible: it may differ from "
            "2026.9.6; the verdict is for OpenClaw 2026.9.6",
        ),
    ],
)
def test_the_words_say_how_the_pods_release_may_differ(
    image: str, same: bool | None, expected: str
) -> None:
    assert (same_release(image, "2026.9.6"), note(image, "2026.9.6")) == (same, expected)


def test_judged_by_the_oldest_release_there_is_no_older_to_suggest() -> None:
    assert note("r.example/openclaw:202602170222", "2026.3.2").endswith(
        "older than 2026.3.2): the pod may accept keys 2026.3.2 rejects, or the reverse; the "
        "verdict is for OpenClaw 2026.3.2 (2026.3.2 is the oldest release that can judge)"
    )
