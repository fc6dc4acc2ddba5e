"""Root pytest configuration: the stack fixtures are shared by every package's tests."""

pytest_plugins = ["fotoai.servicekit.testing"]
