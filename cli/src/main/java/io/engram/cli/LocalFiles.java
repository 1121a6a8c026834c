package io.engram.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Finds the files under a path the user asked to ingest and fingerprints them. */
final class LocalFiles {

  /** A file to ingest, by its real path, with the size seen while listing. */
  record Found(Path path, long size) {}

  /** A file with the content hash that names its blob on the API side. */
  record Hashed(Path path, String sha256, long size) {}

  private LocalFiles() {}

  /**
   * Lists the regular files at {@code given}: the file itself, or every file below a directory.
   * Hidden entries (dot files and dot directories) are skipped because they are almost always tool
   * state such as {@code .git}. Symlinks are followed only while they stay inside the root, so
   * ingesting a directory never silently pulls in content from elsewhere on the machine. Each file
   * appears once, under its real path, in a stable order.
   *
   * @param warn receives a one-line explanation for every entry that was skipped unexpectedly (a
   *     symlink out of the root or dangling, a symlink loop)
   * @throws CliException with the usage exit code if {@code given} is missing or unreadable, or any
   *     entry under it cannot be read (see {@link #refuseUnreadable})
   */
  static List<Found> list(Path given, Consumer<String> warn) {
    if (!Files.exists(given)) {
      throw new CliException("no such file or directory: " + given, CliException.USAGE);
    }
    if (!Files.isReadable(given)) {
      throw new CliException("cannot read " + given + ": permission denied", CliException.USAGE);
    }
    Path root;
    try {
      root = given.toRealPath();
    } catch (IOException e) {
      throw new CliException("cannot resolve " + given + ": " + e, CliException.USAGE, e);
    }
    if (Files.isRegularFile(root)) {
      try {
        return List.of(new Found(root, Files.size(root)));
      } catch (IOException e) {
        throw new CliException("cannot read " + given + ": " + e, CliException.USAGE, e);
      }
    }
    if (!Files.isDirectory(root)) {
      throw new CliException("not a regular file or directory: " + given, CliException.USAGE);
    }
    TreeMap<Path, Long> files = new TreeMap<>();
    List<String> unreadable = new ArrayList<>();
    try {
      Files.walkFileTree(
          root,
          EnumSet.of(FileVisitOption.FOLLOW_LINKS),
          Integer.MAX_VALUE,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
                throws IOException {
              if (dir.equals(root)) {
                return FileVisitResult.CONTINUE;
              }
              if (isHidden(dir)) {
                return FileVisitResult.SKIP_SUBTREE;
              }
              if (!dir.toRealPath().startsWith(root)) {
                warn.accept("skipping " + dir + ": symlink points outside " + root);
                return FileVisitResult.SKIP_SUBTREE;
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              if (isHidden(file)) {
                return FileVisitResult.CONTINUE;
              }
              // The walk reports a link it could not follow as the link itself.
              if (attrs.isSymbolicLink()) {
                warn.accept("skipping " + file + ": dangling symlink");
                return FileVisitResult.CONTINUE;
              }
              if (!attrs.isRegularFile()) {
                return FileVisitResult.CONTINUE;
              }
              Path real = file.toRealPath();
              if (!real.startsWith(root)) {
                warn.accept("skipping " + file + ": symlink points outside " + root);
              } else if (!Files.isReadable(real)) {
                unreadable.add(file + ": permission denied");
              } else {
                files.putIfAbsent(real, attrs.size());
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
              if (file.equals(root)) {
                // An unlistable root must not look like an empty directory: the API would
                // then retire every document previously ingested from it.
                throw e;
              }
              if (isHidden(file)) {
                return FileVisitResult.CONTINUE;
              }
              if (e instanceof FileSystemLoopException || e instanceof NoSuchFileException) {
                warn.accept("skipping " + file + ": " + reason(e));
              } else {
                unreadable.add(file + ": " + reason(e));
              }
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new CliException("cannot list " + given + ": " + reason(e), CliException.USAGE, e);
    }
    refuseUnreadable(root, unreadable);
    return files.entrySet().stream().map(e -> new Found(e.getKey(), e.getValue())).toList();
  }

  /**
   * Refuses a listing with entries it could not read. Left out, they would look deleted: the API
   * retires every document ingested from a file its origin no longer lists.
   *
   * @throws CliException with the usage exit code, naming the first few
   */
  static void refuseUnreadable(Path root, List<String> unreadable) {
    if (unreadable.isEmpty()) {
      return;
    }
    throw new CliException(
        "cannot read "
            + unreadable.size()
            + (unreadable.size() == 1 ? " entry" : " entries")
            + " under "
            + root
            + " ("
            + String.join("; ", unreadable.subList(0, Math.min(3, unreadable.size())))
            + (unreadable.size() > 3 ? "; …" : "")
            + "). Fix their permissions, or move them out of "
            + root
            + ", and ingest again: nothing was uploaded or started, so what was ingested from them"
            + " before stays as it is",
        CliException.USAGE);
  }

  /** Hashes a file's content; the size returned is what was hashed, not what was listed. */
  static Hashed hash(Path file) throws IOException {
    MessageDigest digest = sha256();
    long size = 0;
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
        size += n;
      }
    }
    return new Hashed(file, HexFormat.of().formatHex(digest.digest()), size);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime must provide SHA-256", e);
    }
  }

  private static boolean isHidden(Path path) {
    Path name = path.getFileName();
    return name != null && name.toString().startsWith(".");
  }

  static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file or directory (a dangling symlink?)";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemLoopException) {
      return "symlink loop";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
