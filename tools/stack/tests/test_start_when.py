"""The launcher and the services agree on the go file's variable (the stack tool does not import
servicekit, so the name is written in both places)."""

from fotoai.servicekit import app
from fotoai.stack import launcher


def test_the_launcher_names_the_variable_the_services_wait_on() -> None:
    assert launcher.START_WHEN_ENV == app.START_WHEN_ENV == "FOTOAI_START_WHEN"
