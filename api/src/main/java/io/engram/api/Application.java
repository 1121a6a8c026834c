package io.engram.api;

import io.micronaut.runtime.Micronaut;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.info.Info;

/** The Engram HTTP API; its OpenAPI document is served at {@code /openapi.yml}. */
@OpenAPIDefinition(
    info =
        @Info(
            title = "Engram",
            version = "v1",
            description =
                "Memory-aware RAG over durable Temporal workflows. Errors are RFC 7807 problem"
                    + " bodies (application/problem+json)."))
public final class Application {
  private Application() {}

  public static void main(String[] args) {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println(
          """
          usage: engram-api
            Serves the Engram HTTP API (default http://127.0.0.1:8080).
          environment:
            ENGRAM_API_PORT (8080), ENGRAM_API_HOST (127.0.0.1)
            ENGRAM_DB_URL, ENGRAM_DB_USER, ENGRAM_DB_PASSWORD   PostgreSQL with pgvector
            TEMPORAL_ADDRESS (127.0.0.1:7233), TEMPORAL_NAMESPACE (default)
            ENGRAM_INGEST_ROOTS   directories POST /v1/ingestions {path} may read (':'-separated)
            ENGRAM_MIGRATE_ON_START (true), ENGRAM_MAX_UPLOAD_BYTES
            ENGRAM_RETRIEVAL_*, ENGRAM_RERANKER (linear|cross-encoder|none)   as for the worker;
              cross-encoder: ENGRAM_RERANKER_CROSS_ENCODER_DIR (model.onnx + tokenizer.json),
              _MAX_LENGTH (512), _TOP_N (20), _BATCH_SIZE (8), _THREADS, _NAME (docs/rerank.md)""");
      return;
    }
    Micronaut.run(Application.class, args);
  }
}
