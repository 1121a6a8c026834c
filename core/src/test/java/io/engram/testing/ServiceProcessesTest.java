package io.engram.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading a service's log after it failed to start: a port taken is told apart however long the
 * trace below it (a Go panic's fills any tail), so the start is retried on other ports.
 */
class ServiceProcessesTest {

  @Test
  void a_port_taken_is_found_above_a_long_panic_trace(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("temporal.log");
    List<String> lines = new ArrayList<>();
    lines.add("panic: listen tcp 127.0.0.1:40123: bind: address already in use");
    for (int i = 0; i < 200; i++) {
      lines.add("\tgo.uber.org/dig.paramSingle.Build(...) /go/pkg/mod/dig/param.go:" + i);
    }
    Files.write(log, lines);

    assertThat(ServiceProcesses.mentionsPortInUse(log)).isTrue();
    String tail = ServiceProcesses.tail(log, 20);
    assertThat(tail.lines()).first().asString().startsWith("panic: listen tcp");
    assertThat(tail).endsWith("param.go:199");
  }

  @Test
  void another_failure_is_not_taken_for_a_port_in_use(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("temporal.log");
    Files.write(log, List.of("panic: unable to open database file", "\tmain.main()"));

    assertThat(ServiceProcesses.mentionsPortInUse(log)).isFalse();
    assertThat(ServiceProcesses.mentionsPortInUse(dir.resolve("absent.log"))).isFalse();
    assertThat(ServiceProcesses.tail(log, 20))
        .isEqualTo("panic: unable to open database file\n\tmain.main()");
  }
}
