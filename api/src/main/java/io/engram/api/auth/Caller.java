package io.engram.api.auth;

import io.engram.api.problems.Problems;
import io.engram.contract.Collections;
import io.engram.core.collection.CollectionRegistry;
import io.engram.core.tenant.Scope;
import io.engram.core.tenant.Tenant;
import java.security.Principal;
import java.util.EnumSet;
import java.util.Set;

/**
 * Who makes a request, as {@link AccessFilter} established it: an API key's tenant and scopes, or
 * the dev profile's unauthenticated loopback caller (the default tenant, every scope). Controllers
 * take it as a parameter and reach the tenant's data only through it: a collection name becomes the
 * tenant's collection key in {@link #collection}, a workflow or session is looked up with {@link
 * #tenant()}, and what goes back out is {@link #shown} as the tenant knows it.
 *
 * @param keyId the API key's id; null for the loopback caller
 */
public record Caller(Tenant tenant, Set<Scope> scopes, Long keyId) implements Principal {

  /** What the request attribute holding the caller is called. */
  static final String ATTRIBUTE = "engram.caller";

  public Caller {
    scopes = Set.copyOf(scopes);
  }

  /** The dev profile's caller without a key, from the loopback interface. */
  static Caller loopback() {
    return new Caller(Tenant.DEFAULT, EnumSet.allOf(Scope.class), null);
  }

  /** Who the audit names for a change: {@code key 12}, or {@code loopback}. */
  @Override
  public String getName() {
    return keyId == null ? "loopback" : "key " + keyId;
  }

  public boolean has(Scope scope) {
    return scopes.contains(scope);
  }

  /**
   * Whether this caller operates the installation: an {@code admin} key of the default tenant (the
   * installation's own), or the dev profile's loopback caller. Only an operator manages other
   * tenants' keys and runs the endpoints that span tenants (schedules, memory jobs and their
   * counts); any other tenant's {@code admin} key administers its own tenant only.
   */
  public boolean operator() {
    return tenant.equals(Tenant.DEFAULT) && has(Scope.ADMIN);
  }

  /**
   * The key of this tenant's collection {@code name}, or 400 naming {@code field} when it is no
   * valid collection name. Whether the collection exists is the caller's next question; another
   * tenant's collection of the same name is never the answer.
   */
  public String collection(String field, String name) {
    if (!CollectionRegistry.isValidName(name)) {
      throw Problems.invalidField(
          field, "not a valid collection name: use " + Collections.NAME_RULE);
    }
    return tenant.collection(name);
  }

  /** {@code text} (a collection key, a model version's label) as this tenant knows it. */
  public String shown(String text) {
    return tenant.shown(text);
  }
}
