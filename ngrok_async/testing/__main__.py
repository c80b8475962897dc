"""``python -m ngrok_async.testing``: the standalone fake API (``ngrok-async fake-server``)."""

from ..cli.fake_server import fake_server

if __name__ == "__main__":
    fake_server(prog_name="python -m ngrok_async.testing")
