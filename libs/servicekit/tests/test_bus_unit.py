"""Pieces of the event bus that need no broker."""

from fotoai.servicekit.bus import SeenEvents


def test_seen_events_is_bounded_and_remembers_recent_ids():
    seen = SeenEvents(size=3)
    for i in range(5):
        seen.add(str(i))
    assert "0" not in seen and "1" not in seen
    assert all(str(i) in seen for i in (2, 3, 4))
