"""Fixtures shared by the HTTP tests."""
import pytest


@pytest.fixture
def auth(app, world):
    """Bearer headers for one of the world's accounts: auth("operator")."""
    def make(key: str) -> dict:
        with app.app_context():
            return {"Authorization": f"Bearer {world.token(key)}"}
    return make
