package io.engram.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The labelled set of a BEIR folder as {@code eval} and {@code retrain --eval} upload it: {@code
 * queries.jsonl} and the qrels of one split, {@code qrels/SPLIT.tsv}.
 */
record BeirFolder(Path dir, String split) {

  Path queries() {
    return dir.resolve("queries.jsonl");
  }

  Path qrels() {
    return dir.resolve("qrels").resolve(split + ".tsv");
  }

  /** Refuses, as a usage error, a folder without both files; {@code hint} ends the message. */
  void requireFiles(String hint) {
    if (!Files.isDirectory(dir)) {
      throw new CliException(
          "no such folder: "
              + dir
              + " (a BEIR folder is expected: corpus.jsonl, queries.jsonl,"
              + " qrels/SPLIT.tsv)",
          CliException.USAGE);
    }
    if (!Files.isReadable(queries()) || !Files.isReadable(qrels())) {
      throw new CliException(
          "not a BEIR folder: need queries.jsonl and qrels/" + split + ".tsv in " + dir + hint,
          CliException.USAGE);
    }
  }

  /** The dataset's name: the folder's, made fit to name a collection. */
  String dataset() {
    String name =
        dir.toAbsolutePath().normalize().getFileName().toString().toLowerCase(Locale.ROOT);
    name = name.replaceAll("[^a-z0-9_.-]", "-");
    return name.isEmpty() ? "eval" : name;
  }
}
