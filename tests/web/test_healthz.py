"""GET /healthz: 200 when the database answers at the head revision, 503 saying what is wrong otherwise."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from web.app import create_app


def _set_revision(ctx, sql: str) -> None:
    with ctx.engine.begin() as connection:
        connection.execute(text(sql))


def test_healthy_database_is_ok_without_sign_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "migrations": "current"}
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("sql", "migrations", "says"), [
    ("UPDATE alembic_version SET version_num = '0007'", "behind", "run `onething init-db`"),
    ("UPDATE alembic_version SET version_num = 'f00d'", "unknown", "does not know"),
    ("DELETE FROM alembic_version", "unknown", "empty"),
    ("DROP TABLE alembic_version", "unknown", "no alembic_version table"),
])
def test_schema_not_at_head_is_503(client, ctx, sql, migrations, says):
    _set_revision(ctx, sql)
    response = client.get("/healthz")
    assert response.status_code == 503
    answer = response.get_json()
    assert (answer["status"], answer["database"], answer["migrations"]) == ("unavailable", "ok", migrations)
    assert says in answer["detail"]


def test_unreachable_database_is_503_telling_where_only_to_the_log(tmp_path, caplog):
    app = create_app({"TESTING": True, "SECRET_KEY": "test",
                      "DATABASE_URL": "postgresql://someone:s3cret@127.0.0.1:1/nothing?connect_timeout=2"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    answer = response.get_json()
    assert (answer["database"], answer["migrations"]) == ("unreachable", "not checked")
    assert answer["detail"] == "the database does not answer"
    assert "127.0.0.1" not in response.get_data(as_text=True)
    logged = [record.getMessage() for record in caplog.records if record.getMessage().startswith("health:")]
    assert len(logged) == 1 and "127.0.0.1" in logged[0] and "s3cret" not in logged[0]


def test_fresh_database_at_head_is_ok_on_both_backends(db_url):
    from engine import EngineContext, health

    ctx = EngineContext.from_url(db_url)
    ctx.init_db()
    try:
        assert health(ctx).ok
    finally:
        ctx.engine.dispose()
