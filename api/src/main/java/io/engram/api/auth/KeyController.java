package io.engram.api.auth;

import io.engram.api.problems.ProblemResponses;
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
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.annotation.Status;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import jakarta.validation.Valid;
import java.time.Instant;
import java.util.Set;

/**
 * {@code /v1/keys}: make, list and revoke API keys ({@code admin} scope). An admin key manages its
 * own tenant's keys; the installation's operator (an admin key of the default tenant, or the dev
 * profile's loopback caller, {@link Caller#operator}) manages every tenant's, and makes a new
 * tenant's first key. What an operator may read of the data is still only its own tenant's.
 */
@Controller("/v1/keys")
@ExecuteOn(TaskExecutors.BLOCKING)
@ProblemResponses
class KeyController {
  private final ApiKeys keys;
  private final AccessFilter access;

  KeyController(ApiKeys keys, AccessFilter access) {
    this.keys = keys;
    this.access = access;
  }

  /** Makes a key; its token is in this response only. */
  @Post
  @Status(HttpStatus.CREATED)
  HttpResponse<KeyCreated> create(Caller caller, @Valid @Body CreateKey body) {
    Tenant tenant = caller.tenant();
    if (body.tenant() != null) {
      if (!Tenant.isValidId(body.tenant())) {
        throw Problems.invalidField(
            "/tenant",
            "a tenant id is 1-32 of a-z, 0-9, '_', '-', starting with a letter or digit");
      }
      tenant = new Tenant(body.tenant());
      requireManages(caller, tenant);
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
  KeyList list(Caller caller, @Nullable @QueryValue String tenant) {
    if (tenant != null && !Tenant.isValidId(tenant)) {
      throw Problems.invalidField("tenant", "not a tenant id");
    }
    Tenant only = tenant == null ? null : new Tenant(tenant);
    if (only != null) {
      requireManages(caller, only);
    } else if (!caller.operator()) {
      only = caller.tenant();
    }
    return new KeyList(keys.list(only).stream().map(KeyController::view).toList());
  }

  /** Revokes a key: it authenticates nothing from now on, and stays listed. */
  @Post("/{id}:revoke")
  KeyView revoke(Caller caller, long id) {
    // Another tenant's key is, to a tenant's own admin, as unknown as a key that never was.
    if (keys.find(id)
        .filter(k -> caller.operator() || k.tenant().equals(caller.tenant()))
        .isEmpty()) {
      throw Problems.notFound("key", "no API key " + id);
    }
    KeyView revoked =
        keys.revoke(id)
            .map(KeyController::view)
            .orElseThrow(() -> Problems.notFound("key", "no API key " + id));
    access.revoked(id);
    return revoked;
  }

  /** Refuses a caller that may not manage {@code tenant}'s keys. */
  private static void requireManages(Caller caller, Tenant tenant) {
    if (!caller.operator() && !tenant.equals(caller.tenant())) {
      throw Problems.insufficientScope(
          "an admin key of tenant '"
              + caller.tenant().id()
              + "' manages that tenant's keys only; other tenants' keys are the operator's (an"
              + " admin key of tenant 'default')");
    }
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
