package io.engram.api.blobs;

import io.engram.api.problems.Problems;
import io.engram.core.ingest.BlobStore;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.sql.SQLException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Content-addressed uploads: the CLI asks which of its files' hashes are missing and uploads only
 * those, so re-ingesting an unchanged directory uploads nothing.
 */
@Controller("/v1/blobs")
@ExecuteOn(TaskExecutors.BLOCKING)
class BlobController {
  private static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");

  @Serdeable
  record MissingRequest(@NotNull @Size(max = 10_000) List<String> hashes) {}

  @Serdeable
  record MissingResponse(List<String> missing) {}

  @Serdeable
  record Stored(String sha256, long size) {}

  private final BlobStore blobs;

  BlobController(BlobStore blobs) {
    this.blobs = blobs;
  }

  @Post("/missing")
  MissingResponse missing(@Valid @Body MissingRequest request) throws SQLException {
    for (String hash : request.hashes()) {
      requireSha256(hash);
    }
    return new MissingResponse(blobs.missing(request.hashes()));
  }

  @Put(value = "/{sha256}", consumes = MediaType.APPLICATION_OCTET_STREAM)
  HttpResponse<Stored> put(String sha256, @Nullable @Body byte[] body) throws SQLException {
    requireSha256(sha256);
    // An empty file is a legal upload (it fails later, alone, as an empty document).
    byte[] content = body == null ? new byte[0] : body;
    try {
      blobs.put(sha256, content);
    } catch (IllegalArgumentException e) {
      throw Problems.badRequest(e.getMessage());
    }
    return HttpResponse.created(new Stored(sha256, content.length));
  }

  private static void requireSha256(String hash) {
    if (hash == null || !SHA256.matcher(hash).matches()) {
      throw Problems.badRequest("'" + hash + "' is not a lowercase hex SHA-256 hash");
    }
  }
}
