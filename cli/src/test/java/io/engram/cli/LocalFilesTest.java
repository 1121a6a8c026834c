package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalFilesTest {

  @TempDir Path tmp;

  @Test
  void skipsHiddenEntriesAndSymlinksThatLeaveTheRoot() throws IOException {
    Path root = Files.createDirectories(tmp.resolve("root"));
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("secret.txt"), "secret");
    Path kept =
        Files.writeString(Files.createDirectories(root.resolve("a")).resolve("kept.txt"), "k");
    Files.writeString(root.resolve(".env"), "hidden");
    Files.writeString(Files.createDirectories(root.resolve(".cache")).resolve("x.txt"), "hidden");
    Files.createSymbolicLink(root.resolve("escape-dir"), outside);
    Files.createSymbolicLink(root.resolve("escape-file.txt"), outside.resolve("secret.txt"));
    Files.createSymbolicLink(root.resolve("inside-link.txt"), kept);
    Files.createSymbolicLink(root.resolve("dangling.txt"), root.resolve("nowhere"));
    List<String> warnings = new ArrayList<>();

    List<LocalFiles.Found> found = LocalFiles.list(root, warnings::add);

    // The internal symlink resolves to a file already listed, so it is not listed twice.
    assertThat(found).extracting(LocalFiles.Found::path).containsExactly(kept.toRealPath());
    assertThat(warnings)
        .anyMatch(w -> w.contains("escape-dir") && w.contains("outside"))
        .anyMatch(w -> w.contains("escape-file.txt") && w.contains("outside"))
        .anyMatch(w -> w.contains("dangling.txt"));
  }

  @Test
  void entriesThatCannotBeReadRefuseTheListingInsteadOfLookingDeleted() {
    LocalFiles.refuseUnreadable(tmp, List.of());
    assertThatThrownBy(
            () ->
                LocalFiles.refuseUnreadable(
                    tmp,
                    List.of(
                        "a.md: permission denied",
                        "b: permission denied",
                        "c.md: I/O error",
                        "d.md: permission denied")))
        .isInstanceOf(CliException.class)
        .hasMessageStartingWith(
            "cannot read 4 entries under "
                + tmp
                + " (a.md: permission denied; b: permission denied; c.md: I/O error; …)")
        .hasMessageContaining("nothing was uploaded or started")
        .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(2));
  }

  @Test
  void aSymlinkLoopIsSkippedWithAWarning() throws IOException {
    Path root = Files.createDirectories(tmp.resolve("looped"));
    Path kept = Files.writeString(Files.createDirectories(root.resolve("a")).resolve("k.txt"), "k");
    Files.createSymbolicLink(root.resolve("a").resolve("again"), root.resolve("a"));
    List<String> warnings = new ArrayList<>();

    assertThat(LocalFiles.list(root, warnings::add))
        .extracting(LocalFiles.Found::path)
        .containsExactly(kept.toRealPath());
    assertThat(warnings).anyMatch(w -> w.contains("again"));
  }

  @Test
  void aSingleFileIsListedEvenWhenHidden() throws IOException {
    Path file = Files.writeString(tmp.resolve(".notes"), "n");

    assertThat(LocalFiles.list(file, w -> {}))
        .containsExactly(new LocalFiles.Found(file.toRealPath(), 1));
  }

  @Test
  void missingPathIsAUsageError() {
    assertThatThrownBy(() -> LocalFiles.list(tmp.resolve("nope"), w -> {}))
        .isInstanceOf(CliException.class)
        .hasMessage("no such file or directory: " + tmp.resolve("nope"))
        .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(2));
  }

  @Test
  void hashIsLowercaseHexSha256OfTheContent() throws IOException {
    Path file = Files.writeString(tmp.resolve("abc.txt"), "abc");

    LocalFiles.Hashed hashed = LocalFiles.hash(file);

    assertThat(hashed.sha256())
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(hashed.size()).isEqualTo(3);
  }
}
