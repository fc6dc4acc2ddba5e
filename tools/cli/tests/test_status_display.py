"""How the CLI shows a photo's status: a degraded photo names the stages that gave up."""

import io

from fotoai.cli.main import _status_text, _summary_rows, _table


def test_degraded_photos_name_their_failed_stages() -> None:
    assert _status_text({"status": "ready", "failed_stages": []}) == "ready"
    assert _status_text({"status": "degraded", "failed_stages": ["enhance", "tagging"]}) == \
        "degraded (enhance, tagging failed)"
    out = io.StringIO()
    _table(_summary_rows([{"id": "p1", "status": "degraded", "failed_stages": ["tagging"], "size": 10}]), out)
    assert "degraded (tagging failed)" in out.getvalue()
