package io.engram.api.auth;

import io.engram.api.problems.Problems;
import io.engram.contract.Keys.CreateKey;
import io.engram.contract.Keys.KeyCreated;
import io.engram.contract.Keys.KeyList;
import io.engram.contract.Keys.KeyView;
import io.engram.core.tenant.ApiKeys;
import io.engram.core.tenant.Scope;
import io.engram.core.tenant.Tenant;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import jakarta.validation.Valid;
import java.time.Instant;
import java.util.Set;

/**
 * {@code /v1/keys}: make, list and revoke API keys ({@code admin} scope). An admin key manages the
 * keys of every tenant: it is the installation's operator, while what it may read of the data is
 * still only its own tenant's.
 */
@Controller("/v1/keys")
@ExecuteOn(TaskExecutors.BLOCKING)
class KeyController {
  private final ApiKeys keys;
  private final AccessFilter access;

  KeyController(ApiKeys keys, AccessFilter access) {
    this.keys = keys;
    this.access = access;
  }

  /** Makes a key; its token is in this response only. */
  @Post
  HttpResponse<KeyCreated> create(Caller caller, @Valid @Body CreateKey body) {
    Tenant tenant = caller.tenant();
    if (body.tenant() != null) {
      if (!Tenant.isValidId(body.tenant())) {
        throw Problems.invalidField(
            "/tenant",
            "a tenant id is 1-32 of a-z, 0-9, '_', '-', starting with a letter or digit");
      }
      tenant = new Tenant(body.tenant());
    }
    Set<Scope> scopes;
    try {
      scopes = Scope.parseAll(body.scopes());
    } catch (IllegalArgumentException e) {
      throw Problems.invalidField("/scopes", e.getMessage());
    }
    ApiKeys.Created created =
        keys.create(tenant, body.name() == null ? "key" : body.name(), scopes, caller.getName());
    return HttpResponse.created(new KeyCreated(created.token(), view(created.key())));
  }

  /** The keys of one tenant, or of all; never a token. */
  @Get
  KeyList list(@Nullable @QueryValue String tenant) {
    if (tenant != null && !Tenant.isValidId(tenant)) {
      throw Problems.invalidField("tenant", "not a tenant id");
    }
    return new KeyList(
        keys.list(tenant == null ? null : new Tenant(tenant)).stream()
            .map(KeyController::view)
            .toList());
  }

  /** Revokes a key: it authenticates nothing from now on, and stays listed. */
  @Post("/{id}:revoke")
  KeyView revoke(long id) {
    KeyView revoked =
        keys.revoke(id)
            .map(KeyController::view)
            .orElseThrow(() -> Problems.notFound("key", "no API key " + id));
    access.revoked(id);
    return revoked;
  }

  static KeyView view(ApiKeys.ApiKey k) {
    return new KeyView(
        k.id(),
        k.tenant().id(),
        k.name(),
        k.scopes().stream().sorted().map(Scope::wireName).toList(),
        k.hint(),
        k.active(),
        k.createdBy(),
        text(k.createdAt()),
        text(k.lastUsedAt()),
        text(k.revokedAt()));
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
