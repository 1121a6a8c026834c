package io.engram.api.blobs;

import io.engram.api.auth.Caller;
import io.engram.api.problems.ProblemResponses;
import io.engram.api.problems.Problems;
import io.engram.contract.Blobs.MissingBlobs;
import io.engram.contract.Blobs.MissingBlobsRequest;
import io.engram.contract.Blobs.StoredBlob;
import io.engram.core.CoreServices;
import io.engram.core.ingestion.BlobStore;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.Status;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import jakarta.validation.Valid;
import java.sql.SQLException;
import java.util.List;

/**
 * Content-addressed uploads: the CLI asks which of its files' hashes are missing and uploads only
 * those, so re-ingesting an unchanged directory uploads nothing.
 */
@Controller("/v1/blobs")
@ExecuteOn(TaskExecutors.BLOCKING)
@ProblemResponses
class BlobController {

  private final BlobStore blobs;

  BlobController(CoreServices core) {
    this.blobs = core.blobs();
  }

  @Post("/missing")
  MissingBlobs missing(Caller caller, @Valid @Body MissingBlobsRequest request)
      throws SQLException {
    List<String> hashes = request.hashes();
    for (int i = 0; i < hashes.size(); i++) {
      BlobHashes.requireSha256("/hashes/" + i, hashes.get(i));
    }
    return new MissingBlobs(blobs.missing(caller.tenant(), hashes));
  }

  @Put(value = "/{sha256}", consumes = MediaType.APPLICATION_OCTET_STREAM)
  @Status(HttpStatus.CREATED)
  HttpResponse<StoredBlob> put(Caller caller, String sha256, @Nullable @Body byte[] body)
      throws SQLException {
    BlobHashes.requireSha256("sha256", sha256);
    // An empty file is a legal upload (it fails later, alone, as an empty document).
    byte[] content = body == null ? new byte[0] : body;
    try {
      blobs.put(caller.tenant(), sha256, content);
    } catch (IllegalArgumentException e) {
      throw Problems.badRequest(e.getMessage());
    }
    return HttpResponse.created(new StoredBlob(sha256, content.length));
  }
}
