package io.engram.core.db;

import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.core.statement.StatementExceptions;
import org.jdbi.v3.core.statement.TemplateEngine;
import org.jdbi.v3.postgres.PostgresPlugin;

/**
 * Makes the {@link Jdbi} every table owner runs its statements through, once per process, over the
 * pool of {@link Database#connect}.
 */
public final class EngramJdbi {
  private EngramJdbi() {}

  public static Jdbi create(DataSource dataSource) {
    Jdbi jdbi = Jdbi.create(dataSource);
    // UUIDs, pgvector values and SQL arrays bind as the driver expects them.
    jdbi.installPlugin(new PostgresPlugin());
    // Text arrays are text[] as the columns are (the plugin's default is varchar[]).
    jdbi.registerArrayType(String.class, "text");
    // Statements are plain SQL with bind parameters: no template attributes, so operators such as
    // pgvector's <=> reach PostgreSQL untouched and no statement pays for template rendering.
    jdbi.getConfig(SqlStatements.class).setTemplateEngine(TemplateEngine.NOP);
    // A failed statement's message is the database's alone: bound values (questions, user ids,
    // document text) must not reach logs or workflow history through exception messages.
    jdbi.getConfig(StatementExceptions.class)
        .setMessageRendering(StatementExceptions.MessageRendering.NONE);
    return jdbi;
  }
}
