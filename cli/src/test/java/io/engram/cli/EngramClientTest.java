package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.cli.FakeApi.Response;
import io.engram.contract.Blobs.MissingBlobs;
import java.io.IOException;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EngramClientTest {

  @Test
  void missingBlobsAsksInBatchesOfAtMostOneThousand() throws IOException {
    List<String> hashes =
        IntStream.range(0, 2500).mapToObj(i -> String.format("%064x", i)).toList();
    try (FakeApi api = new FakeApi()) {
      api.on(
          "POST",
          "/v1/blobs/missing",
          r ->
              Response.json(
                  200, new MissingBlobs(List.of(r.json().get("hashes").get(0).asText()))));

      List<String> missing = new EngramClient(api.url()).missingBlobs(hashes);

      assertThat(api.requests())
          .extracting(r -> r.json().get("hashes").size())
          .containsExactly(1000, 1000, 500);
      assertThat(missing).containsExactly(hashes.get(0), hashes.get(1000), hashes.get(2000));
    }
  }

  @Test
  void pathSegmentsAreEscaped() {
    assertThat(EngramClient.pathSegment("ingest/a b")).isEqualTo("ingest%2Fa%20b");
  }
}
