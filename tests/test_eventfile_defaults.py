"""An event file may leave out every key the README gives a default for."""

from signup.core import eventfile

MINIMAL = """
slug = "temamote-pa-finnsnes"
title = "Temamøte på Finnsnes"
venue = "Store auditorium, Kunnskapsparken"
starts_at = 2031-08-20T14:00:00
ends_at = 2031-08-20T17:00:00
capacity = 60

[[groups]]
key = "medlem"
label = "Medlem av Profilgruppa"
rank = 1
"""


def test_a_file_with_only_the_required_keys_takes_the_documented_defaults(app):
    definition = eventfile.parse(MINIMAL)
    values = definition.values
    assert values["title"] == "Temamøte på Finnsnes"
    assert values["reserved_seats"] == 0
    assert values["offer_hours"] == 24
    assert values["quiet_hours"] is True
    assert values["retention_days"] == 10
    assert values["registration_closes_at"] == values["starts_at"]
