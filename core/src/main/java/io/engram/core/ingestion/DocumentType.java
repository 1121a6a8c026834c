package io.engram.core.ingestion;

import java.util.Locale;
import java.util.Optional;

/** The document types Engram ingests, recognised by file extension. */
public enum DocumentType {
  PDF("application/pdf", false),
  TXT("text/plain", true),
  MARKDOWN("text/markdown", true),
  HTML("text/html", false),
  CSV("text/csv", true),
  JSON("application/json", true),
  /** A BEIR-style corpus: one document per line ({@code _id}, {@code title}, {@code text}). */
  JSONL("application/x-ndjson", true);

  private final String mime;
  private final boolean plainText;

  DocumentType(String mime, boolean plainText) {
    this.mime = mime;
    this.plainText = plainText;
  }

  public String mime() {
    return mime;
  }

  /** Whether the bytes are UTF-8 text to take as they are (no parser in between). */
  public boolean plainText() {
    return plainText;
  }

  public static Optional<DocumentType> ofFileName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    int dot = lower.lastIndexOf('.');
    String ext = dot < 0 ? "" : lower.substring(dot + 1);
    return Optional.ofNullable(
        switch (ext) {
          case "pdf" -> PDF;
          case "txt", "text" -> TXT;
          case "md", "markdown" -> MARKDOWN;
          case "html", "htm", "xhtml" -> HTML;
          case "csv" -> CSV;
          case "json" -> JSON;
          case "jsonl", "ndjson" -> JSONL;
          default -> null;
        });
  }

  public static String supportedExtensions() {
    return ".pdf .txt .md .html .htm .csv .json .jsonl";
  }
}
