"""A real database fault for rule 9 tests: a trigger that refuses inserts into the history table."""

import sqlalchemy as sa

from admin_app.db.session import engine_for


class history_writes_fail:
    """Within the block, inserting a history row fails in the database itself (every row, or only the
    rows of `item_type`), as a full disk or a broken replica would."""

    def __init__(self, url: str, item_type: str | None = None) -> None:
        self.engine = engine_for(url)
        self.postgres = self.engine.dialect.name == "postgresql"
        self.item_type = item_type

    def __enter__(self) -> None:
        only = f"NEW.item_type = '{self.item_type}'" if self.item_type else "true"
        with self.engine.begin() as connection:
            if self.postgres:
                connection.execute(
                    sa.text(
                        "CREATE FUNCTION refuse_history() RETURNS trigger LANGUAGE plpgsql AS "
                        f"$$ BEGIN IF {only} THEN RAISE EXCEPTION 'history is unavailable'; END IF; "
                        "RETURN NEW; END $$"
                    )
                )
                connection.execute(
                    sa.text(
                        "CREATE TRIGGER refuse_history BEFORE INSERT ON version "
                        "FOR EACH ROW EXECUTE FUNCTION refuse_history()"
                    )
                )
            else:
                connection.execute(
                    sa.text(
                        f"CREATE TRIGGER refuse_history BEFORE INSERT ON version WHEN {only} "
                        "BEGIN SELECT RAISE(ABORT, 'history is unavailable'); END"
                    )
                )

    def __exit__(self, *exc) -> None:
        with self.engine.begin() as connection:
            if self.postgres:
                connection.execute(sa.text("DROP TRIGGER refuse_history ON version"))
                connection.execute(sa.text("DROP FUNCTION refuse_history()"))
            else:
                connection.execute(sa.text("DROP TRIGGER refuse_history"))
